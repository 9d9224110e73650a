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

    def evaluate(self, conf):
        env = config.active_environment()
        return None if env is None else env.sagemaker_notebook_allowed


check = NotebookOnlyWhereAllowed()
