"""The only code that talks to AWS (boto3/botocore): sessions, clients, calls, error translation.

Functions here return plain data (boto3 shapes) and raise :mod:`rootctl.errors` exceptions.
"""
