package org.robustseg.studio;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.robustseg.cli.VersionProvider;
import org.robustseg.cli.options.NamedCheckpoints;
import org.robustseg.studio.jobs.Limits;
import org.robustseg.studio.server.StudioServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./run studio}: serves the studio page and its API until interrupted (Ctrl-C). */
@Command(name = "studio", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "A local web page: inpaint, generate, edit, attack and saliency on several models side by side, with live progress.")
public final class StudioCommand implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "8080", description = "Port to listen on (default ${DEFAULT-VALUE}; 0: a free one).")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1",
            description = "Address to listen on (default ${DEFAULT-VALUE}: this machine only; another address exposes the studio and is warned about).")
    String bind;

    @Mixin
    NamedCheckpoints checkpoints;

    @Option(names = "--data", description = "Data directory: its val scenes, class names and image size (default: runs/demo/data when it exists).")
    Path data;

    @Option(names = "--statistics", description = "Colour statistics JSON for generation (default: fitted on --data's train split at start).")
    Path statistics;

    @Mixin
    StudioLimits limits;

    @Override
    public Integer call() throws InterruptedException {
        Map<String, Path> models = models(checkpoints, data);
        Path dataDir = dataDir(data, checkpoints);
        if (!StudioServer.isLoopback(bind)) {
            System.err.println("warning: the studio listens on " + bind + ", not on this machine only: anyone who can reach this address"
                    + " can run jobs on it (it has no log-in). Use --bind 127.0.0.1 unless you mean it.");
        }
        System.err.println("loading " + models.size() + " model(s)" + (dataDir != null ? " and " + dataDir : "") + " ...");
        Studio studio = Studio.start(models, dataDir, statistics, limits.get(), bind, port);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            studio.close();
            stopped.countDown();
        }, "studio-shutdown"));
        String host = bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1" : bind;
        System.out.println("robustseg studio: http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + studio.port() + "/  (models: "
                + String.join(", ", models.keySet()) + "; Ctrl-C stops it)");
        stopped.await();
        return 0;
    }

    /** --checkpoint NAME=CKPT as given, else the demo's standard and robust models. */
    public static Map<String, Path> models(NamedCheckpoints given, Path data) {
        Map<String, Path> models = given.byName();
        if (models.isEmpty()) {
            models = Studio.demoModels(Studio.DEMO);
            if (models.isEmpty()) {
                throw new IllegalArgumentException("no models: give --checkpoint NAME=CKPT (e.g. robust=runs/demo/models/robust), "
                        + "or run './run demo --quick' first, whose runs/demo/models the studio then uses");
            }
        }
        return models;
    }

    /** --data as given; else runs/demo/data when the models are the demo's (or --data is not given and it exists). */
    public static Path dataDir(Path data, NamedCheckpoints given) {
        if (data != null) {
            return data;
        }
        Path demoData = Studio.DEMO.resolve("data");
        return given.byName().isEmpty() && Files.isDirectory(demoData) ? demoData : null;
    }
}
