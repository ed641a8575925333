"""Entry points for running rootctl inside other systems (AWS Lambda)."""
