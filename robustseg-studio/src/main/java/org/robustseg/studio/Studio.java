package org.robustseg.studio;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.robustseg.studio.jobs.JobQueue;
import org.robustseg.studio.jobs.Limits;
import org.robustseg.studio.server.StudioServer;
import org.robustseg.studio.workspace.Workspace;

/**
 * A running studio: the workspace (models, scenes), the job queue and the HTTP server, started
 * together and closed together (the server first, then the queue, which stops the running job,
 * then the models).
 */
public final class Studio implements AutoCloseable {
    /** Where {@code ./run demo} leaves its models and data; the studio's defaults when it exists. */
    public static final Path DEMO = Path.of("runs", "demo");

    private final Workspace workspace;
    private final JobQueue queue;
    private final StudioServer server;
    private final int port;

    private Studio(Workspace workspace, JobQueue queue, StudioServer server, int port) {
        this.workspace = workspace;
        this.queue = queue;
        this.server = server;
        this.port = port;
    }

    /** Loads the models, starts the worker and the server on {@code bind}:{@code port} (0: a free port). */
    public static Studio start(Map<String, Path> checkpoints, Path data, Path statistics, Limits limits, String bind, int port) {
        Workspace ws = Workspace.open(checkpoints, data, statistics, limits.maxUploadPixels(), 32);
        JobQueue queue = new JobQueue(ws, limits);
        StudioServer server = new StudioServer(ws, queue, bind, port);
        try {
            int actual = server.start();
            return new Studio(ws, queue, server, actual);
        } catch (RuntimeException e) {
            queue.close();
            ws.close();
            throw e;
        }
    }

    /** The demo's standard and robust models, when runs/demo has them (empty otherwise). */
    public static Map<String, Path> demoModels(Path demo) {
        Map<String, Path> out = new LinkedHashMap<>();
        for (String name : new String[] {"standard", "robust"}) {
            Path run = demo.resolve("models").resolve(name);
            if (Files.isDirectory(run)) {
                out.put(name, run);
            }
        }
        return out;
    }

    public int port() {
        return port;
    }

    public Workspace workspace() {
        return workspace;
    }

    public JobQueue queue() {
        return queue;
    }

    @Override
    public void close() {
        server.close();
        queue.close();
        workspace.close();
    }
}
