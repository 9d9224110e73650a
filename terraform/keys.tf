# The four domain keys (events, storage, ml, logs). Every module gets the qualifier, account,
# partition and region from the root locals and never the environment's name.

module "keys" {
  source = "./modules/keys"

  context              = local.context
  deletion_window_days = var.kms_deletion_window_days
}
