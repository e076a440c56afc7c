package lwrap.handlers;

/** The exception the error handler throws (errorType "lwrap.handlers.HandlerError"). */
public class HandlerError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public HandlerError(String message) {
        super(message);
    }
}
