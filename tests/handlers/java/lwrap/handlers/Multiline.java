package lwrap.handlers;

import lwrap.runtime.Context;

/**
 * multiline: prints a 3-line record to stdout, logs the same record (one logger call),
 * then catches a real exception, logs its stack trace as one record and prints it to stderr.
 */
public class Multiline {
    static final String RECORD = "record line 1\nrecord line 2\nrecord line 3";

    private static int inner() {
        int[] none = new int[0];
        return none[1];
    }

    public Object handleRequest(Object event, Context context) {
        System.out.println(RECORD);
        context.getLogger().log(RECORD, "INFO");
        try {
            inner();
        } catch (ArrayIndexOutOfBoundsException e) {
            java.io.StringWriter w = new java.io.StringWriter();
            e.printStackTrace(new java.io.PrintWriter(w));
            context.getLogger().log("caught\n" + w, "ERROR");
            e.printStackTrace();
        }
        return "ok";
    }
}
