# shellcheck shell=bash
# Shared by deploy/backup/backup and deploy/backup/restore. Source it, don't run it.

# The schemas of the services that keep data (analysis-worker keeps none).
ALL_BACKUP_SCHEMAS=(auth loans approvals notifications analytics)

# parse_backup_arguments [--stack dev|test] DIR [SCHEMA...]: sets BACKUP_DIR, BACKUP_SCHEMAS,
# DATABASE_URL and how to reach rabbitmqctl (for the script that sources this file).
# shellcheck disable=SC2034
parse_backup_arguments() {
  BACKUP_STACK=""
  if [[ "${1:-}" == "--stack" ]]; then
    BACKUP_STACK="${2:?--stack needs dev or test}"
    shift 2
  fi
  BACKUP_DIR="${1:?usage: [--stack dev|test] DIR [SCHEMA...]}"
  shift
  BACKUP_SCHEMAS=("$@")
  ((${#BACKUP_SCHEMAS[@]} > 0)) || BACKUP_SCHEMAS=("${ALL_BACKUP_SCHEMAS[@]}")
  local schema
  for schema in "${BACKUP_SCHEMAS[@]}"; do
    [[ " ${ALL_BACKUP_SCHEMAS[*]} " == *" $schema "* ]] || die "unknown schema $schema (${ALL_BACKUP_SCHEMAS[*]})"
  done
  if [[ -n "$BACKUP_STACK" ]]; then
    stack_config "$BACKUP_STACK"
    DATABASE_URL="$STACK_DATABASE_URL"
  else
    : "${DATABASE_URL:?set DATABASE_URL, or use --stack}"
    : "${RABBITMQCTL:?set RABBITMQCTL (e.g. \"kubectl exec -i rabbitmq-0 -- rabbitmqctl\"), or use --stack}"
  fi
  command -v pg_dump >/dev/null || apt_install_missing postgresql-client
}

rabbitmqctl_run() {
  if [[ -n "$BACKUP_STACK" ]]; then
    rabbitmqctl_stack "$@"
  else
    # shellcheck disable=SC2086 # RABBITMQCTL is a command line by design
    $RABBITMQCTL "$@"
  fi
}
