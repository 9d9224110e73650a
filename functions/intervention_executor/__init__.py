"""intervention-executor: intervention requests -> profile history, SNS user-interventions; Bedrock /execute-intervention."""
