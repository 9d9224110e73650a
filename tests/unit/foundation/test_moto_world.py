"""The unit tests' moto world (tests/support/moto_world.py) deletes what it made, and only that."""

from __future__ import annotations

from tests.support.moto_world import client, moto_world


def test_cleanup_deletes_what_the_world_made_newest_first_and_spares_the_rest() -> None:
    with moto_world() as world:
        world.table("t", "pk", "sk")
        bucket = world.bucket("uja-bucket")
        client("s3").put_object(Bucket=bucket, Key="k", Body=b"x")  # a bucket is emptied before it goes
        world.queue("q")
        world.topic("n")
        world.timestream_table("db", "one")
        world.timestream_table("db", "two")  # the database is made (and remembered) once
        gone = world.queue("gone")
        client("sqs").delete_queue(QueueUrl=gone)  # deleted by the test itself: cleanup does not fail
        client("dynamodb").create_table(
            TableName="other",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        assert world.created == [
            "table t",
            "bucket uja-bucket",
            "queue q",
            "topic n",
            "timestream database db",
            "timestream table db.one",
            "timestream table db.two",
            "queue gone",
        ]

        world.cleanup()

        assert world.created == []
        assert client("dynamodb").list_tables()["TableNames"] == ["other"]
        assert client("s3").list_buckets()["Buckets"] == []
        assert client("sqs").list_queues().get("QueueUrls", []) == []
        assert client("sns").list_topics()["Topics"] == []
        assert client("timestream-write").list_databases()["Databases"] == []
