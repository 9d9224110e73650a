"""video-analyzer: SQS video views -> per-video engagement, profile engagementScore; Bedrock /analyze-video."""
