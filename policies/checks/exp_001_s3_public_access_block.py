from checkov.common.models.enums import CheckCategories

from policies.base import UjaCheck, flag

SETTINGS = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")


class S3PublicAccessBlock(UjaCheck):
    ID = "UJA_EXP_001"
    NAME = "S3 public access block must turn on all four settings"
    SEVERITY = "HIGH"
    RATIONALE = "No bucket of this system serves the public; one missing setting reopens ACL or policy exposure."
    FIX = "Set block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets to true."
    RESOURCES = ("aws_s3_bucket_public_access_block",)
    CATEGORY = CheckCategories.NETWORKING

    def evaluate(self, conf):
        values = [flag(conf, key) for key in SETTINGS]
        if False in values or any(conf.get(key) is None for key in SETTINGS):
            return False
        return None if None in values else True


check = S3PublicAccessBlock()
