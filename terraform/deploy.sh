#!/usr/bin/env bash
# Plan, apply, destroy or drift-check one environment of the User Journey Analytics system.
#
#   terraform/deploy.sh [--moto ENDPOINT] [--name-suffix S] [--auto-approve] <environment> <plan|apply|destroy|drift>
#
# An environment is a name with environments/<env>.tfvars and environments/<env>-backend.hcl
# (journey_guard/terraform/environments.py; docs/adding-an-environment.md).
#
# Real AWS (default): credentials from the standard AWS chain. The state lives in the bootstrap's
# bucket for the environment (terraform/bootstrap/ creates it, once per account) under the key of
# environments/<env>-backend.hcl. The bucket is the bootstrap's `state_bucket_names` output when
# terraform/bootstrap is initialised in this checkout, else uja-tfstate-<account_id>-<env> with the
# account id from UJA_ACCOUNT_ID or, unset, from `aws sts get-caller-identity`.
#
# --moto ENDPOINT: deploy into a moto server (e.g. http://127.0.0.1:5000) instead. The state bucket
# is created directly in moto, the S3 backend points at it (path-style, every AWS check skipped),
# the account id is the one moto answers to GetCallerIdentity, and environments/integration.tfvars
# is applied on top of the environment's file. No bootstrap is involved.
#
# --name-suffix S: 1-8 of [a-z0-9], appended to every name (and to the state key) so runs stay apart.
# --auto-approve: apply or destroy without the interactive confirmation. destroy never skips the
# confirmation unless this flag is given.
#
# drift: python3 -m journey_guard.ops.drift with the same backend and variables: a refresh-only plan (the
# cloud against the state) and a plan without refresh (the code against the state); Markdown and JSON
# reports in $UJA_DRIFT_REPORT_DIR (default <build>/drift). Exit 0 clean, 2 cloud drift, 3 only code
# pending, 1 on any error (this script's own errors included).
#
# apply refuses to deploy Flink while the build step's flink/MISSING_JAR marker exists (the job zip
# lacks the Kinesis connector): provide UJA_FLINK_CONNECTOR_JAR and rebuild, or set flink_enabled = false.
# Working state (backend settings, modules) goes to <build>/deploy/<target>-<qualifier>/, never to
# terraform/.terraform, so deployments of different environments do not disturb each other.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
BUILD_DIR="${UJA_BUILD_DIR:-$REPO/build}"
MOTO_ACCESS_KEY="testing"
MOTO_SECRET_KEY="testing"

usage() {
    echo "usage: $(basename "$0") [--moto ENDPOINT] [--name-suffix S] [--auto-approve] <environment> <plan|apply|destroy|drift>" >&2
}

# Bad input exits 2, except for drift, whose 2 means "the cloud drifted".
die_status=2
die() {
    echo "deploy.sh: $*" >&2
    exit "$die_status"
}

moto_endpoint=""
name_suffix=""
auto_approve=0
positional=()
while (($#)); do
    case "$1" in
        --moto)
            (($# >= 2)) || { usage; die "--moto needs an endpoint URL"; }
            moto_endpoint="${2%/}"
            shift 2
            ;;
        --name-suffix)
            (($# >= 2)) || { usage; die "--name-suffix needs a value"; }
            name_suffix="$2"
            shift 2
            ;;
        --auto-approve)
            auto_approve=1
            shift
            ;;
        -h | --help)
            usage
            exit 0
            ;;
        -*)
            usage
            die "unknown option: $1"
            ;;
        *)
            positional+=("$1")
            shift
            ;;
    esac
done

((${#positional[@]} == 2)) || { usage; die "expected <environment> <action>, got ${#positional[@]} argument(s)"; }
env_name="${positional[0]}"
action="${positional[1]}"
[[ "$action" != drift ]] || die_status=1
if [[ ! "$env_name" =~ ^[a-z][a-z0-9]{1,6}$ || ! -f "$HERE/environments/$env_name.tfvars" || ! -f "$HERE/environments/$env_name-backend.hcl" ]]; then
    known=""
    for f in "$HERE"/environments/*-backend.hcl; do
        name="$(basename "$f" -backend.hcl)"
        [[ ! -f "$HERE/environments/$name.tfvars" ]] || known+="${known:+, }$name"
    done
    usage
    die "environment must be one of $known (environments/<env>.tfvars and <env>-backend.hcl), not '$env_name'"
fi
case "$action" in plan | apply | destroy | drift) ;; *) usage; die "action must be plan, apply, destroy or drift, not '$action'" ;; esac
[[ -z "$name_suffix" || "$name_suffix" =~ ^[a-z0-9]{1,8}$ ]] || die "--name-suffix must be 1-8 characters of [a-z0-9], not '$name_suffix'"
[[ -z "$moto_endpoint" || "$moto_endpoint" =~ ^https?://[^/[:space:]]+$ ]] || die "--moto needs an endpoint like http://127.0.0.1:5000, not '$moto_endpoint'"
((auto_approve == 0)) || [[ "$action" == apply || "$action" == destroy ]] || die "--auto-approve applies to apply and destroy only"

tfvars="$HERE/environments/$env_name.tfvars"
backend_hcl="$HERE/environments/$env_name-backend.hcl"
integration_tfvars="$HERE/environments/integration.tfvars"
[[ -z "$moto_endpoint" || -f "$integration_tfvars" ]] || die "missing $integration_tfvars (needed with --moto)"
command -v terraform >/dev/null || die "terraform not found on PATH (install Terraform >= 1.11)"

# The project's CLI config (provider mirror) unless the caller exported one that exists.
if [[ ! -f "${TF_CLI_CONFIG_FILE:-}" ]] && command -v python3 >/dev/null; then
    toolchain_env="$(cd "$REPO" && python3 -m journey_guard.terraform.toolchain)" || die "python3 -m journey_guard.terraform.toolchain failed"
    eval "$(grep '^export ' <<<"$toolchain_env")"
fi

# key = "value" from an HCL file (only the flat assignments this repository's files use).
hcl_value() {
    sed -n -E "s/^[[:space:]]*$2[[:space:]]*=[[:space:]]*\"?([^\"#]*[^\"#[:space:]])\"?.*$/\1/p" "$1" | tail -n 1
}

region="$(hcl_value "$backend_hcl" region)"
state_key="$(hcl_value "$backend_hcl" key)"
[[ -n "$region" && -n "$state_key" ]] || die "$backend_hcl must set key and region"
qualifier="$env_name${name_suffix:+-$name_suffix}"
[[ -z "$name_suffix" ]] || state_key="${state_key%/terraform.tfstate}-$name_suffix/terraform.tfstate"

var_files=("$tfvars")
[[ -z "$moto_endpoint" ]] || var_files+=("$integration_tfvars")

# Later files win, as in Terraform; the switch defaults to true (variables.tf).
flink_enabled=true
for f in "${var_files[@]}"; do
    value="$(hcl_value "$f" flink_enabled)"
    [[ -z "$value" ]] || flink_enabled="$value"
done
if [[ "$action" == apply && "$flink_enabled" == true && -e "$BUILD_DIR/flink/MISSING_JAR" ]]; then
    die "refusing to deploy Flink: $BUILD_DIR/flink/MISSING_JAR says the job zip lacks the Kinesis connector jar; set UJA_FLINK_CONNECTOR_JAR and rebuild (python -m journey_guard.terraform.build), or set flink_enabled = false"
fi
if [[ "$action" != destroy ]]; then
    compgen -G "$BUILD_DIR/lambda/*.zip" >/dev/null || die "no build artifacts in $BUILD_DIR/lambda: run python -m journey_guard.terraform.build first"
fi

# -input=false would also suppress apply's and destroy's confirmation prompt: keep it for the
# non-interactive cases only.
tf_args=()
[[ "$action" != plan && "$action" != drift && $auto_approve == 0 ]] || tf_args+=(-input=false)
for f in "${var_files[@]}"; do tf_args+=("-var-file=$f"); done
[[ -z "$name_suffix" ]] || tf_args+=("-var=name_suffix=$name_suffix")
[[ -z "${UJA_BUILD_DIR:-}" ]] || tf_args+=("-var=artifacts_dir=$BUILD_DIR")

# Sign a request to moto like an AWS SDK does (moto reads the account from the credentials).
moto_call() {
    local service="$1"
    shift
    curl --silent --show-error --aws-sigv4 "aws:amz:$region:$service" --user "$MOTO_ACCESS_KEY:$MOTO_SECRET_KEY" "$@"
}

if [[ -n "$moto_endpoint" ]]; then
    target="moto"
    export AWS_ACCESS_KEY_ID="$MOTO_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$MOTO_SECRET_KEY" AWS_REGION="$region"
    identity="$(moto_call sts --data "Action=GetCallerIdentity&Version=2011-06-15" "$moto_endpoint/")" ||
        die "no moto server answers at $moto_endpoint"
    account_id="$(sed -n -E 's/.*<Account>([0-9]{12})<\/Account>.*/\1/p' <<<"$identity")"
    [[ -n "$account_id" ]] || die "$moto_endpoint did not answer GetCallerIdentity like moto: ${identity:0:200}"
    state_bucket="uja-tfstate-$account_id-$env_name"
    status="$(moto_call s3 --output /dev/null --write-out '%{http_code}' -X PUT "$moto_endpoint/$state_bucket")"
    [[ "$status" == 200 ]] || die "creating the state bucket $state_bucket in moto failed (HTTP $status)"
    tf_args+=(
        "-var=aws_endpoint_url=$moto_endpoint"
        "-var=aws_access_key=$MOTO_ACCESS_KEY"
        "-var=aws_secret_key=$MOTO_SECRET_KEY"
        "-var=account_id=$account_id"
        "-var=aws_region=$region"
        "-var=availability_zones=[\"${region}a\",\"${region}b\"]"
    )
else
    target="aws"
    state_bucket=""
    if [[ -d "$HERE/bootstrap/.terraform" ]]; then
        buckets="$(terraform -chdir="$HERE/bootstrap" output -no-color -json state_bucket_names 2>/dev/null || true)"
        state_bucket="$(sed -n -E "s/.*\"$env_name\"[[:space:]]*:[[:space:]]*\"([^\"]+)\".*/\1/p" <<<"$buckets")"
    fi
    if [[ -z "$state_bucket" ]]; then
        if [[ -n "${UJA_ACCOUNT_ID:-}" ]]; then
            account_id="$UJA_ACCOUNT_ID"
        else
            command -v aws >/dev/null || die "set UJA_ACCOUNT_ID, or install the AWS CLI to look the account up"
            account_id="$(aws sts get-caller-identity --query Account --output text)" || die "aws sts get-caller-identity failed: no AWS credentials?"
        fi
        [[ "$account_id" =~ ^[0-9]{12}$ ]] || die "account id '$account_id' is not 12 digits"
        state_bucket="uja-tfstate-$account_id-$env_name"
    fi
fi

export TF_DATA_DIR="$BUILD_DIR/deploy/$target-$qualifier"
mkdir -p "$TF_DATA_DIR"
backend_args=(-backend-config="$backend_hcl" -backend-config="bucket=$state_bucket" -backend-config="key=$state_key")
if [[ -n "$moto_endpoint" ]]; then
    # A generated file: -backend-config=k=v cannot express the endpoints map.
    cat >"$TF_DATA_DIR/moto-backend.hcl" <<EOF
endpoints                   = { s3 = "$moto_endpoint" }
use_path_style              = true
skip_credentials_validation = true
skip_requesting_account_id  = true
skip_s3_checksum            = true
skip_metadata_api_check     = true
skip_region_validation      = true
region                      = "$region"
EOF
    backend_args+=(-backend-config="$TF_DATA_DIR/moto-backend.hcl")
fi

# Terraform's plugin cache is not safe for parallel init: share the lock journey_guard.terraform.tf takes.
lock_dir="${UJA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/journey-guard}/terraform"
mkdir -p "$lock_dir"
echo "deploy.sh: $action $qualifier ($target, state s3://$state_bucket/$state_key)"
flock "$lock_dir/init.lock" terraform -chdir="$HERE" init -input=false -no-color -reconfigure -lockfile=readonly "${backend_args[@]}" >"$TF_DATA_DIR/init.log" ||
    die "terraform init failed: see $TF_DATA_DIR/init.log"

approve=()
((auto_approve == 0)) || approve=(-auto-approve)
start=$SECONDS
case "$action" in
    plan) terraform -chdir="$HERE" plan "${tf_args[@]}" ;;
    apply) terraform -chdir="$HERE" apply "${tf_args[@]}" "${approve[@]}" ;;
    destroy)
        terraform -chdir="$HERE" destroy "${tf_args[@]}" "${approve[@]}"
        remaining="$(terraform -chdir="$HERE" state list)"
        [[ -z "$remaining" ]] || die "destroy left resources in the state:"$'\n'"$remaining"
        ;;
    drift)
        command -v python3 >/dev/null || die "python3 not found on PATH (the drift check is journey_guard.ops.drift)"
        status=0
        (cd "$REPO" && python3 -m journey_guard.ops.drift "$env_name" --chdir "$HERE" --plan-dir "$TF_DATA_DIR" \
            --report-dir "${UJA_DRIFT_REPORT_DIR:-$BUILD_DIR/drift}" -- "${tf_args[@]}") || status=$?
        echo "deploy.sh: drift $qualifier finished in $((SECONDS - start)) s (exit $status)"
        exit "$status"
        ;;
esac
echo "deploy.sh: $action $qualifier finished in $((SECONDS - start)) s"
