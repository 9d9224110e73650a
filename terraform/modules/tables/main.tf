# The five tables of the spec (section 3, DynamoDB). Sort keys make every event and signal its
# own item, and GSI partition keys carry a 0-9 shard so no index key is low-cardinality.
locals {
  tables = {
    user_profiles = {
      component  = "user-profiles"
      hash_key   = "userId"
      range_key  = null
      attributes = { userId = "S", userSegment = "S", lastActiveAt = "N" }
      indexes = {
        UserSegmentIndex = { hash_key = "userSegment", range_key = "lastActiveAt", projection = "KEYS_ONLY" }
      }
      ttl_attribute = null
    }
    user_events = {
      component  = "user-events"
      hash_key   = "userId"
      range_key  = "eventKey" # <13-digit epoch ms>#<eventId>
      attributes = { userId = "S", eventKey = "S", eventTypeShard = "S", sessionId = "S", timestamp = "N" }
      indexes = {
        EventTypeIndex = { hash_key = "eventTypeShard", range_key = "timestamp", projection = "KEYS_ONLY" }
        SessionIndex   = { hash_key = "sessionId", range_key = "timestamp", projection = "KEYS_ONLY" }
      }
      ttl_attribute = "ttl"
    }
    struggle_signals = {
      component  = "struggle-signals"
      hash_key   = "userId"
      range_key  = "signalKey" # <featureId>#<detectedAt>#<eventId>, or cooldown#<featureId>
      attributes = { userId = "S", signalKey = "S", featureId = "S", detectedAt = "N", severityShard = "S" }
      indexes = {
        FeatureStruggleIndex = { hash_key = "featureId", range_key = "detectedAt", projection = "ALL" }
        SeverityTimeIndex    = { hash_key = "severityShard", range_key = "detectedAt", projection = "KEYS_ONLY" }
      }
      ttl_attribute = "ttl"
    }
    video_engagement = {
      component  = "video-engagement"
      hash_key   = "userId"
      range_key  = "videoId"
      attributes = { userId = "S", videoId = "S", lastWatchedAt = "N", interestScore = "N" }
      indexes = {
        VideoPopularityIndex = { hash_key = "videoId", range_key = "lastWatchedAt", projection = "KEYS_ONLY" }
        UserInterestIndex    = { hash_key = "userId", range_key = "interestScore", projection = "ALL" }
      }
      ttl_attribute = null
    }
    idempotency = { # Powertools idempotency layout
      component     = "idempotency"
      hash_key      = "id"
      range_key     = null
      attributes    = { id = "S" }
      indexes       = {}
      ttl_attribute = "expiration"
    }
  }

  table_names = { for key, t in local.tables : key => "uja-${t.component}-${var.context.qualifier}" }
  table_arns  = { for key, name in local.table_names : key => "arn:${var.context.partition}:dynamodb:${var.context.region}:${var.context.account_id}:table/${name}" }
}

resource "aws_dynamodb_table" "this" {
  for_each = local.tables

  name                        = local.table_names[each.key]
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = each.value.hash_key
  range_key                   = each.value.range_key
  deletion_protection_enabled = var.deletion_protection
  tags                        = var.tags

  dynamic "attribute" {
    for_each = each.value.attributes
    content {
      name = attribute.key
      type = attribute.value
    }
  }

  dynamic "global_secondary_index" {
    for_each = each.value.indexes
    content {
      name            = global_secondary_index.key
      hash_key        = global_secondary_index.value.hash_key
      range_key       = global_secondary_index.value.range_key
      projection_type = global_secondary_index.value.projection
    }
  }

  dynamic "ttl" {
    for_each = each.value.ttl_attribute == null ? [] : [each.value.ttl_attribute]
    content {
      enabled        = true
      attribute_name = ttl.value
    }
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.storage_key_arn
  }

  point_in_time_recovery {
    enabled = var.point_in_time_recovery
  }
}
