#!/usr/bin/env bash
# EnvelopeKit demo (`make demo`): on the embedded local KMS, in a temporary state directory,
# account 109876543210 creates a key shared with account 012345678901; the external account's
# administrator attaches the IAM policy; the external user encrypts and decrypts a file; the owner
# gives an external role a grant, removes the account (the grant survives, as on AWS) and revokes it.
#
# Usage: scripts/demo.sh [PATH-TO-envelope]
#   Without an argument (and without ENVELOPE_BIN), builds the `envelope` product of the samples
#   package (`swift build --package-path Samples --product envelope`) and uses that binary.
# Exit status 0 when everything happened as described (refusals included), non-zero otherwise.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
envelope="${1:-${ENVELOPE_BIN:-}}"
if [[ -z "$envelope" ]]; then
    echo "== Building envelope (swift build --package-path Samples --product envelope)"
    (cd "$repo_root" && swift build --package-path Samples --product envelope)
    envelope="$(cd "$repo_root" && swift build --package-path Samples --show-bin-path)/envelope"
fi
if [[ ! -x "$envelope" ]]; then
    echo "demo: $envelope is not an executable; build it with: make build (or swift build --package-path Samples --product envelope)" >&2
    exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/envelope-demo.XXXXXX")"
trap 'rm -rf "$work"' EXIT
export ENVELOPE_KMS=local
export ENVELOPE_KMS_STATE="$work/kms-state"

owner=109876543210
external=012345678901
external_user="arn:aws:iam::$external:user/ExternalUser"
external_role="arn:aws:iam::$external:role/Auditor"

step() { printf '\n== %s\n' "$*"; }
show() { printf '   $ %s\n' "$*"; }
json_field() { sed -n "s/^ *\"$1\": \"\\(.*\\)\",\{0,1\}$/\\1/p" | head -n 1; }

step "1. Account $owner creates a KMS key shared with account $external (state: $ENVELOPE_KMS_STATE)"
show envelope kms create-key --account $owner --alias alias/SharedKey --external-account $external
created="$("$envelope" kms create-key --account "$owner" --alias alias/SharedKey --external-account "$external")"
key_arn="$(printf '%s\n' "$created" | json_field Arn)"
alias_arn="$(printf '%s\n' "$created" | json_field AliasArn)"
echo "   key ARN:   $key_arn"
echo "   alias ARN: $alias_arn"
echo "   The key policy now trusts arn:aws:iam::$external:root (AllowUseOfTheKey, AllowAttachmentOfPersistentResources):"
"$envelope" kms get-key-policy --key "$key_arn" | grep -n '"Sid"\|:root' | sed 's/^/     /'

step "2. The administrator of $external attaches an IAM policy to $external_user"
cat > "$work/iam-policy.json" <<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AllowUseOfKeyInAccount$owner",
      "Effect": "Allow",
      "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
      "Resource": "$key_arn"
    }
  ]
}
POLICY
show envelope kms attach-user-policy --principal "$external_user" --policy-file iam-policy.json
"$envelope" kms attach-user-policy --principal "$external_user" --policy-file "$work/iam-policy.json" > /dev/null
echo "   attached (both the key policy and this IAM policy must allow)"

step "3. The external user encrypts a file, naming the key by its alias ARN"
printf 'Quarterly report: revenue up, costs down.\n' > "$work/report.txt"
export ENVELOPE_PRINCIPAL="$external_user"
show envelope encrypt -i report.txt -o report.txt.encrypted -w key="$alias_arn" -c department=finance --metadata-output -
"$envelope" encrypt -i "$work/report.txt" -o "$work/report.txt.encrypted" -w key="$alias_arn" -c department=finance \
    --metadata-output - | sed 's/^/   metadata: /'
echo "   wrote report.txt.encrypted ($(wc -c < "$work/report.txt.encrypted" | tr -d ' ') bytes, AWS Encryption SDK message format)"

step "4. The external user decrypts it, naming the key by key ARN and requiring the context"
show envelope decrypt -i report.txt.encrypted -o report.decrypted.txt -w key="$key_arn" -c department=finance
"$envelope" decrypt -i "$work/report.txt.encrypted" -o "$work/report.decrypted.txt" -w key="$key_arn" -c department=finance
if cmp -s "$work/report.txt" "$work/report.decrypted.txt"; then
    echo "   decrypted: \"$(cat "$work/report.decrypted.txt")\" (identical to the original)"
else
    echo "demo: the decrypted file differs from the original" >&2
    exit 1
fi

step "5. A bare alias name is refused: it resolves in the external user's own account"
show envelope encrypt -i report.txt -o refused.encrypted -w key=alias/SharedKey
if "$envelope" encrypt -i "$work/report.txt" -o "$work/refused.encrypted" -w key=alias/SharedKey 2> "$work/stderr.txt"; then
    echo "demo: encrypting by bare alias name should have been refused" >&2
    exit 1
else
    status=$?
    echo "   refused as expected (exit $status): $(grep -o 'NotFoundException: [^.]*' "$work/stderr.txt" | head -n 1)"
    grep '^hint:' "$work/stderr.txt" | sed 's/^/   /' || true
fi
[[ ! -e "$work/refused.encrypted" ]] && echo "   no output file was written"

step "6. Account $owner gives $external_role a grant to decrypt (CreateGrant)"
show envelope kms create-grant --key "$key_arn" --grantee-principal "$external_role" --operations Decrypt
grant_id="$("$envelope" kms create-grant --key "$key_arn" --grantee-principal "$external_role" --operations Decrypt | json_field GrantId)"
echo "   grant $grant_id"

step "7. Account $owner removes account $external: key-policy access ends at once, grants do not"
show envelope kms remove-external-account --key "$key_arn" --account $external
"$envelope" kms remove-external-account --key "$key_arn" --account "$external" 2> "$work/removal.txt" > /dev/null
grep -v '^[-+ ] \|^---\|^+++' "$work/removal.txt" | sed 's/^/   /'
if "$envelope" decrypt -i "$work/report.txt.encrypted" -o "$work/after-removal.txt" -w key="$key_arn" 2> "$work/stderr.txt"; then
    echo "demo: decrypting after the removal should have been refused" >&2
    exit 1
else
    status=$?
    echo "   $external_user: decrypt refused as expected (exit $status): $(grep -o 'AccessDeniedException' "$work/stderr.txt" | head -n 1)"
fi
show envelope decrypt -i report.txt.encrypted -o by-grant.txt -w key="$key_arn" --principal "$external_role"
"$envelope" decrypt -i "$work/report.txt.encrypted" -o "$work/by-grant.txt" -w key="$key_arn" --principal "$external_role"
echo "   $external_role: still decrypts through its grant (grants are independent of the key policy, as on AWS)"

step "8. Account $owner revokes the grants the removed account still holds"
show envelope kms remove-external-account --key "$key_arn" --account $external --revoke-grants
"$envelope" kms remove-external-account --key "$key_arn" --account "$external" --revoke-grants 2>&1 > /dev/null | grep 'revok' | sed 's/^/   /'
if "$envelope" decrypt -i "$work/report.txt.encrypted" -o "$work/after-revoke.txt" -w key="$key_arn" --principal "$external_role" 2> "$work/stderr.txt"; then
    echo "demo: decrypting with a revoked grant should have been refused" >&2
    exit 1
else
    status=$?
    echo "   $external_role: decrypt refused as expected (exit $status): $(grep -o 'AccessDeniedException' "$work/stderr.txt" | head -n 1)"
fi

printf '\nDemo complete: shared key created, file encrypted and decrypted as %s, grant survived removal until revoked, refusals as expected.\n' "$external_user"
