from checkov.common.models.enums import CheckCategories

from policies import config
from policies.base import UjaCheck


class NotebookOnlyWhereAllowed(UjaCheck):
    ID = "UJA_ENV_004"
    NAME = "SageMaker notebook instances may exist only in environments that allow them (dev)"
    SEVERITY = "MEDIUM"
    RATIONALE = "Interactive notebooks are exploration tools; staging and prod data is reached through pipelines only."
    FIX = "Set sagemaker_notebook_enabled = false in the environment's tfvars."
    RESOURCES = ("aws_sagemaker_notebook_instance",)
    CATEGORY = CheckCategories.GENERAL_SECURITY

    def applies(self) -> bool:
        return config.active_environment() is not None

    def evaluate(self, conf):
        env = config.active_environment()
        return env is not None and env.sagemaker_notebook_allowed


check = NotebookOnlyWhereAllowed()
