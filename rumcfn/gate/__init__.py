"""The budget gate, pure: what it judges (:mod:`.target`), the judgement and its exit codes (:mod:`.judge`),
and the report in the formats CI systems read (:mod:`.report`). The AWS side (CloudFormation, CloudWatch)
is :mod:`rumcfn.aws.budget_data`."""
