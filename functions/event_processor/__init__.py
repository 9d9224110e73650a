"""The event processor: Kinesis user events in; events, profiles, Timestream and messages out."""
