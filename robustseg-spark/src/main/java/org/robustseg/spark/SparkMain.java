package org.robustseg.spark;

import org.robustseg.cli.Main;
import org.robustseg.cli.VersionProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ./run spark <job> ...} and the shaded jar's main class: the CLI's error handling, engine
 * check and safer-oneDNN restart ({@link Main#launch}) around the Spark jobs.
 */
@Command(name = "robustseg spark", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Run robustseg jobs on Apache Spark (a local master, standalone, YARN or Kubernetes).",
        subcommands = {SparkAttackCommand.class, SparkInpaintCommand.class, SparkGenerateCommand.class, SparkSaliencyCommand.class, SparkPagCommand.class,
                CommandLine.HelpCommand.class})
public final class SparkMain {
    public static void main(String[] args) {
        Main.launch(SparkMain.class, new SparkMain(), args);
    }
}
