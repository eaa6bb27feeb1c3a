# Operator recipes. Each one delegates to foundation, which owns the logic:
# `just tofu-plan arc-runners` is `foundation plan arc-runners`.
set positional-arguments

# foundation from this checkout; set FOUNDATION to use another install (e.g. FOUNDATION=foundation).
foundation := env("FOUNDATION", "node " + quote(justfile_directory() / "bin/foundation.js"))

# list the recipes
default:
    @{{quote(just_executable())}} --list --justfile {{quote(justfile())}}

# list the stacks in dependency order with their state keys
stacks *args:
    @{{foundation}} stacks "$@"

# tofu init against the S3 backend (skipped when already initialized the same way)
tofu-init stack *args:
    @{{foundation}} init "$@"

# init when needed, then plan into .foundation/plans/<env>/<stack>.tfplan (exit 0; 2 for changes only with --detailed-exitcode)
tofu-plan stack *args:
    @{{foundation}} plan "$@"

# apply the stack (plans first and asks, or --plan FILE / --auto-approve); exit 0 once applied
tofu-apply stack *args:
    @{{foundation}} apply "$@"

# write <root>/backend.s3.tfbackend for the stack (no credentials in it)
tofu-backend-materialize-s3 stack *args:
    @{{foundation}} backend materialize "$@"

# compatibility only: tofu init against the stack's GitLab-managed HTTP state (TF_HTTP_* credentials)
tofu-init-gitlab-legacy stack *args:
    @{{foundation}} init --legacy "$@"
