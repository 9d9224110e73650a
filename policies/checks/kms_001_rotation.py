from checkov.common.models.enums import CheckCategories

from policies.base import UjaCheck, matches, value


class KmsKeyRotation(UjaCheck):
    ID = "UJA_KMS_001"
    NAME = "KMS key must have automatic rotation enabled"
    SEVERITY = "MEDIUM"
    RATIONALE = "Yearly rotation bounds how much data one key version protects (system spec: keys with rotation on)."
    FIX = "Set enable_key_rotation = true on aws_kms_key."
    RESOURCES = ("aws_kms_key",)
    CATEGORY = CheckCategories.ENCRYPTION

    def evaluate(self, conf):
        # Rotation only exists for symmetric encryption keys; asymmetric and HMAC keys are out of scope.
        spec = value(conf, "customer_master_key_spec", "SYMMETRIC_DEFAULT")
        if spec not in (None, "SYMMETRIC_DEFAULT"):
            return True
        return matches(value(conf, "enable_key_rotation"), True)


check = KmsKeyRotation()
