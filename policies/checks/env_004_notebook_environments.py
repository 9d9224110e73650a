from checkov.common.models.enums import CheckCategories

from policies.base import EnvironmentCheck


class NotebookOnlyWhereAllowed(EnvironmentCheck):
    ID = "UJA_ENV_004"
    NAME = "SageMaker notebook instances may exist only in environments that allow them (dev)"
    SEVERITY = "MEDIUM"
    RATIONALE = "Interactive notebooks are exploration tools; staging and prod data is reached through pipelines only."
    FIX = "Set sagemaker_notebook_enabled = false in the environment's tfvars."
    RESOURCES = ("aws_sagemaker_notebook_instance",)
    CATEGORY = CheckCategories.GENERAL_SECURITY

    def evaluate(self, conf):
        return self.environment.sagemaker_notebook_allowed


check = NotebookOnlyWhereAllowed()
