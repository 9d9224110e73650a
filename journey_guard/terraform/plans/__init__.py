"""Hermetic, cached ``terraform plan`` of any root, and the plan read as a model.

The one helper the plan tests, the policy gate and the integration tests share::

    from journey_guard.terraform import plans
    plan = plans.render("dev", tfvars=[TEST_TFVARS])
    plan.json                      # ``terraform show -json`` of the saved plan
    plan.resources                 # address -> planned values (every module, every instance)
    plan.by_type()                 # resource type -> sorted addresses
    plan.outputs                   # output name -> value (plans.UNKNOWN when known only after apply)
    plan.configuration             # the plan's ``configuration`` block (expressions and references)
    plan.references(address, "server_side_encryption.kms_key_arn")   # traced through module inputs
    plan.key, plan.cached          # cache key; whether this call was served from the cache

- ``model``: ``Plan``, ``UNKNOWN`` and the one walk of a plan's (or state's) module tree;
- ``cache``: the cache key over everything Terraform reads, and the cached JSON;
- ``renderer``: the hermetic copy, ``init`` once per template, ``render``, ``render_root``, ``check_variables``;
- ``cli``: ``python -m journey_guard.terraform.plans`` (summary, or ``diff`` of the environments).

Imports only the standard library, PyYAML and tftest (the policy gate runs it in checkov's venv).
"""

from journey_guard.paths import TERRAFORM_DIR
from journey_guard.terraform.inventory import short_diff
from journey_guard.terraform.plans.cache import (
    ARTIFACT_DIRS,
    CACHED_ERROR,
    cache_key,
    plan_cache_dir,
    terraform_toolchain,
    write_atomic,
)
from journey_guard.terraform.plans.model import (
    UNKNOWN,
    Plan,
    PlanError,
    config_module,
    config_resource,
    load_yaml,
    walk_resources,
)
from journey_guard.terraform.plans.renderer import (
    VALIDATION_FAILURE,
    Inputs,
    check_variables,
    copy,
    initialised_template,
    make_inputs,
    plan_env,
    prepare,
    provider_endpoints,
    render,
    render_root,
    root_inputs,
)

__all__ = [
    "ARTIFACT_DIRS",
    "CACHED_ERROR",
    "TERRAFORM_DIR",
    "UNKNOWN",
    "VALIDATION_FAILURE",
    "Inputs",
    "Plan",
    "PlanError",
    "cache_key",
    "check_variables",
    "config_module",
    "config_resource",
    "copy",
    "initialised_template",
    "load_yaml",
    "make_inputs",
    "plan_cache_dir",
    "plan_env",
    "prepare",
    "provider_endpoints",
    "render",
    "render_root",
    "root_inputs",
    "short_diff",
    "terraform_toolchain",
    "walk_resources",
    "write_atomic",
]
