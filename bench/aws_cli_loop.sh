#!/usr/bin/env bash
# What users do today (benchmark 3): a sequential shell loop of AWS CLI calls, per member
# account one `aws sts assume-root` and the four root-credential reads. The environment points
# the aws CLI at the sandbox as the management account. Prints one line per account.
set -euo pipefail
task=arn=arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials
management=$(aws organizations describe-organization --query Organization.MasterAccountId \
  --output text)
for account in $(aws organizations list-accounts --query "Accounts[?Status=='ACTIVE'].Id" \
  --output text); do
  [ "$account" = "$management" ] && continue
  read -r key secret token < <(aws sts assume-root --target-principal "$account" \
    --task-policy-arn "$task" --duration-seconds 180 \
    --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
  export_creds=(AWS_ACCESS_KEY_ID="$key" AWS_SECRET_ACCESS_KEY="$secret" AWS_SESSION_TOKEN="$token")
  password=$(env "${export_creds[@]}" aws iam get-login-profile --output text 2>/dev/null \
    | head -c 40 || true)
  keys=$(env "${export_creds[@]}" aws iam list-access-keys --output text)
  mfa=$(env "${export_creds[@]}" aws iam list-mfa-devices --output text)
  certs=$(env "${export_creds[@]}" aws iam list-signing-certificates --output text)
  echo "$account password=${password:+yes} keys=${keys:+yes} mfa=${mfa:+yes} certs=${certs:+yes}"
done
