package lwrap.runtime;

import java.util.Map;

/** What a handler gets besides the event (the parts of AWS's Context the tests use). */
public final class Context {
    private final String requestId;
    private final String functionArn;
    private final long deadlineMs;
    private final LambdaLogger logger;

    Context(Map<String, String> headers, LambdaLogger logger) {
        this.requestId = headers.get("lambda-runtime-aws-request-id");
        this.functionArn = headers.get("lambda-runtime-invoked-function-arn");
        String d = headers.get("lambda-runtime-deadline-ms");
        long deadline = 0;
        try {
            deadline = d == null ? 0 : Long.parseLong(d);
        } catch (NumberFormatException ignored) {
            deadline = 0;
        }
        this.deadlineMs = deadline;
        this.logger = logger;
    }

    public String getAwsRequestId() { return requestId; }
    public String getInvokedFunctionArn() { return functionArn; }
    public String getFunctionName() { return System.getenv("AWS_LAMBDA_FUNCTION_NAME"); }
    public String getFunctionVersion() { return System.getenv("AWS_LAMBDA_FUNCTION_VERSION"); }
    public String getLogGroupName() { return System.getenv("AWS_LAMBDA_LOG_GROUP_NAME"); }
    public String getLogStreamName() { return System.getenv("AWS_LAMBDA_LOG_STREAM_NAME"); }
    public int getRemainingTimeInMillis() { return (int) Math.max(deadlineMs - System.currentTimeMillis(), 0); }
    public LambdaLogger getLogger() { return logger; }
}
