"""struggle-detector: SQS struggle candidates -> signals, cooldown windows, intervention requests; Bedrock /analyze-struggle."""
