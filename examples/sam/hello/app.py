"""A plain handler: lwrap needs no code change. With LWRAP_LOGS=json each print() and
the multi-line record below reach CloudWatch as one event carrying the request id."""
import json


def handler(event, context):
    print("hello from", context.function_name)
    print("a record\nthat spans\nthree lines")
    return {"statusCode": 200, "body": json.dumps({"requestId": context.aws_request_id})}
