package lwrap.runtime;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.crac.Core;

/**
 * lwrap's test runtime for Java, shaped like AWS's runtime interface client:
 * `java ... -classpath DIR lwrap.runtime.Main lwrap.handlers.Echo::handleRequest`
 * (the handler is the last argument, as AWS passes it; _HANDLER is the fallback).
 * A handler is a public method taking (Object event[, Context]) on a class with a public
 * no-argument constructor (or a static method); the event is parsed with Json.
 * System.out/System.err go to stdout/stderr; Context.getLogger() writes frames to the
 * telemetry fd. Handler exceptions are logged (one ERROR record) and posted to /error with
 * their stack trace; load failures go to /init/error and the JVM exits 1.
 * With AWS_LAMBDA_MAX_CONCURRENCY=N>1, N threads each run their own loop (AWS's client runs a
 * thread pool so under Lambda Managed Instances).
 * SnapStart (AWS_LAMBDA_INITIALIZATION_TYPE=snap-start): once the handler is loaded, the
 * org.crac resources' beforeCheckpoint hooks run, then GET /runtime/restore/next, then their
 * afterRestore hooks; a failure goes to /init/error (Runtime.BeforeCheckpointError) or
 * /restore/error (Runtime.AfterRestoreError) and the JVM exits 64, as AWS's client does.
 * Java cannot remove a variable from its own environment, so _LAMBDA_TELEMETRY_LOG_FD stays
 * set; the trace id goes to the system property com.amazonaws.xray.traceHeader, as AWS does.
 */
public final class Main {
    private static LambdaLogger logger;

    private interface Handler {
        Object call(Object event, Context context) throws Throwable;
    }

    public static void main(String[] args) throws Exception {
        // Autoflushed UTF-8 streams, so a println reaches the pipe when it is called.
        PrintStream stdout = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(stdout);
        System.setErr(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
        logger = LambdaLogger.fromEnvironment(stdout);
        String address = System.getenv("AWS_LAMBDA_RUNTIME_API");
        String name = args.length > 0 ? args[args.length - 1] : System.getenv("_HANDLER");
        Handler handler;
        try {
            handler = load(name);
        } catch (Throwable e) {
            String type = e instanceof InitError ? ((InitError) e).type : "Runtime.ClassNotFound";
            Map<String, Object> body = errorBody(e, type, null);
            logger.log(Json.write(body), "ERROR");
            new RuntimeClient(address).post("/init/error", Json.write(body), type);
            System.exit(1);
            return;
        }
        if ("snap-start".equals(System.getenv("AWS_LAMBDA_INITIALIZATION_TYPE"))) snapshotAndRestore(address);
        int n = 1;
        try {
            n = Math.max(Integer.parseInt(System.getenv().getOrDefault("AWS_LAMBDA_MAX_CONCURRENCY", "1").trim()), 1);
        } catch (NumberFormatException ignored) {
            n = 1;
        }
        for (int k = 1; k < n; k++) {
            Thread t = new Thread(() -> loop(address, handler), "runtime-" + k);
            t.setDaemon(true);
            t.start();
        }
        loop(address, handler);
    }

    /** SnapStart's hooks around the snapshot point (restore/next). */
    private static void snapshotAndRestore(String address) throws IOException {
        RuntimeClient client = new RuntimeClient(address);
        try {
            Core.getGlobalContext().beforeCheckpoint(null);
        } catch (Exception e) {
            reportAndExit(client, "/init/error", e, "Runtime.BeforeCheckpointError");
        }
        client.restoreNext();
        try {
            Core.getGlobalContext().afterRestore(null);
        } catch (Exception e) {
            reportAndExit(client, "/restore/error", e, "Runtime.AfterRestoreError");
        }
    }

    private static void reportAndExit(RuntimeClient client, String path, Exception e, String type) throws IOException {
        Map<String, Object> body = errorBody(e, type, null);
        logger.log(Json.write(body), "ERROR");
        client.post(path, Json.write(body), type);
        System.exit(64);
    }

    private static final class InitError extends Exception {
        private static final long serialVersionUID = 1L;
        final String type;

        InitError(String type, String message, Throwable cause) {
            super(message, cause);
            this.type = type;
        }
    }

    private static Handler load(String name) throws Exception {
        if (name == null || name.isEmpty()) throw new InitError("Runtime.MalformedHandlerName", "no handler given", null);
        int sep = name.indexOf("::");
        String className = sep < 0 ? name : name.substring(0, sep);
        String methodName = sep < 0 ? "handleRequest" : name.substring(sep + 2);
        Class<?> cls;
        try {
            cls = Class.forName(className);
        } catch (ClassNotFoundException e) {
            throw new InitError("Runtime.ClassNotFound", "Class not found: " + className, e);
        }
        Method found = null;
        for (Method m : cls.getMethods()) {
            if (m.getName().equals(methodName) && m.getParameterCount() >= 1 && m.getParameterCount() <= 2
                    && (found == null || m.getParameterCount() > found.getParameterCount())) {
                found = m;
            }
        }
        if (found == null) {
            throw new InitError("Runtime.HandlerNotFound", "No public method named " + methodName + " with appropriate method signature found on class " + className, null);
        }
        Object target = Modifier.isStatic(found.getModifiers()) ? null : cls.getConstructor().newInstance();
        Method m = found;
        return (event, context) -> {
            try {
                return m.getParameterCount() == 2 ? m.invoke(target, event, context) : m.invoke(target, event);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
    }

    static Map<String, Object> errorBody(Throwable e, String type, String requestId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("errorMessage", e.getMessage());
        body.put("errorType", type != null ? type : e.getClass().getName());
        List<String> trace = new ArrayList<>();
        for (StackTraceElement el : e.getStackTrace()) {
            if (el.getClassName().startsWith("lwrap.runtime.") || el.getClassName().startsWith("java.lang.reflect.")
                    || el.getClassName().startsWith("jdk.internal.reflect.")) {
                continue; // the runtime's own frames, hidden as AWS's client hides them
            }
            trace.add(el.toString());
        }
        body.put("stackTrace", trace);
        if (e.getCause() != null && e.getCause() != e) body.put("cause", errorBody(e.getCause(), null, null));
        if (requestId != null) body.put("requestId", requestId);
        return body;
    }

    private static void loop(String address, Handler handler) {
        RuntimeClient client = new RuntimeClient(address);
        for (;;) {
            RuntimeClient.Invocation inv;
            try {
                inv = client.next();
            } catch (Exception e) {
                System.err.println("runtime: " + e);
                System.exit(1);
                return;
            }
            String id = inv.headers.get("lambda-runtime-aws-request-id");
            String trace = inv.headers.get("lambda-runtime-trace-id");
            if (trace != null) System.setProperty("com.amazonaws.xray.traceHeader", trace);
            else System.clearProperty("com.amazonaws.xray.traceHeader");
            logger.setRequestId(id);
            try {
                String response;
                try {
                    Object event = inv.body.isEmpty() ? null : Json.parse(inv.body);
                    response = Json.write(handler.call(event, new Context(inv.headers, logger)));
                } catch (Throwable e) {
                    Map<String, Object> body = errorBody(e, null, id);
                    logger.log(Json.write(body), "ERROR");
                    client.post("/invocation/" + id + "/error", Json.write(body), (String) body.get("errorType"));
                    continue;
                }
                client.post("/invocation/" + id + "/response", response, null);
            } catch (Exception e) {
                System.err.println("runtime: " + e);
            } finally {
                logger.setRequestId(null);
            }
        }
    }
}
