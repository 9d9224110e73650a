"""The in-process moto world of the unit tests and the benchmarks: one builder of the AWS resources
they use, which remembers what it created and deletes it again, newest first (as LocalStack's
factory fixtures do), before the mock itself goes."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any

import boto3
from botocore.exceptions import ClientError
from moto import mock_aws  # before any client: moto hooks into botocore when imported

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account
# What a resource's deletion answers when a test has already deleted it.
GONE = {"ResourceNotFoundException", "NoSuchBucket", "NotFound", "AWS.SimpleQueueService.NonExistentQueue"}


@functools.cache
def client(service: str) -> Any:
    """One boto3 client per service for the whole run: clients are slow to make (~0.2 s), and moto
    serves whichever ``mock_aws`` is active, with fresh state each time."""
    return boto3.client(service, region_name=REGION)


class MotoWorld:
    """Resources created in the active moto mock; ``cleanup`` deletes them, newest first."""

    def __init__(self) -> None:
        self._undo: list[tuple[str, Callable[[], object]]] = []

    @property
    def created(self) -> list[str]:
        return [what for what, _ in self._undo]

    def _remember(self, what: str, delete: Callable[[], object]) -> None:
        self._undo.append((what, delete))

    def table(self, name: str, *keys: str) -> str:
        """An on-demand DynamoDB table keyed by ``keys`` (hash, then range), each a string."""
        dynamodb = client("dynamodb")
        dynamodb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": k, "KeyType": t} for k, t in zip(keys, ("HASH", "RANGE"), strict=False)],
            AttributeDefinitions=[{"AttributeName": k, "AttributeType": "S"} for k in keys],
            BillingMode="PAY_PER_REQUEST",
        )
        self._remember(f"table {name}", lambda: dynamodb.delete_table(TableName=name))
        return name

    def bucket(self, name: str) -> str:
        s3 = client("s3")
        s3.create_bucket(Bucket=name)

        def delete() -> None:
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
                for item in page.get("Contents", []):
                    s3.delete_object(Bucket=name, Key=item["Key"])
            s3.delete_bucket(Bucket=name)

        self._remember(f"bucket {name}", delete)
        return name

    def queue(self, name: str) -> str:
        """A queue's URL."""
        sqs = client("sqs")
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        self._remember(f"queue {name}", lambda: sqs.delete_queue(QueueUrl=url))
        return url

    def topic(self, name: str) -> str:
        """A topic's ARN."""
        sns = client("sns")
        arn = sns.create_topic(Name=name)["TopicArn"]
        self._remember(f"topic {name}", lambda: sns.delete_topic(TopicArn=arn))
        return arn

    def timestream_table(self, database: str, table: str) -> str:
        """A Timestream table, and its database the first time it is named."""
        timestream = client("timestream-write")
        if f"timestream database {database}" not in self.created:
            timestream.create_database(DatabaseName=database)
            self._remember(f"timestream database {database}", lambda: timestream.delete_database(DatabaseName=database))
        timestream.create_table(DatabaseName=database, TableName=table)
        self._remember(f"timestream table {database}.{table}", lambda: timestream.delete_table(DatabaseName=database, TableName=table))
        return table

    def cleanup(self) -> None:
        while self._undo:
            _, delete = self._undo.pop()
            try:
                delete()
            except ClientError as error:
                if error.response["Error"]["Code"] not in GONE:
                    raise


@contextlib.contextmanager
def moto_world() -> Iterator[MotoWorld]:
    """A fresh moto account for the block, and a builder that cleans up after itself."""
    with mock_aws():
        world = MotoWorld()
        try:
            yield world
        finally:
            world.cleanup()
