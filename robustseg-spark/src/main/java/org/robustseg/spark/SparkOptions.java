package org.robustseg.spark;

import ai.djl.Device;
import ai.djl.engine.Engine;
import picocli.CommandLine.Option;

/** The options every Spark job shares: where it runs and on which device its executors compute. */
public final class SparkOptions {
    @Option(names = "--master", description = "Spark master URL: local[N], spark://host:7077, yarn, k8s://... "
            + "(default: what spark-submit set, else local[2]).")
    String master;

    @Option(names = "--device", defaultValue = "cpu",
            description = "cpu or gpu: where each executor runs the model (gpu needs the CUDA build of libtorch, "
                    + "mvn -Pgpu; default ${DEFAULT-VALUE}).")
    String device;

    /** The master to use when spark-submit set none. */
    String master(String fromSparkSubmit) {
        return master != null ? master : fromSparkSubmit != null ? fromSparkSubmit : "local[2]";
    }

    /** A Spark context for job {@code name} at --master (or spark-submit's master), logging warnings only. */
    static org.apache.spark.api.java.JavaSparkContext context(SparkOptions options, String name) {
        org.apache.spark.SparkConf conf = new org.apache.spark.SparkConf().setAppName(name);
        conf.setMaster(options.master(conf.getOption("spark.master").getOrElse(() -> null)));
        org.apache.spark.api.java.JavaSparkContext sc = new org.apache.spark.api.java.JavaSparkContext(conf);
        sc.setLogLevel("WARN");
        return sc;
    }

    /** The device name, checked: "cpu" or "gpu". */
    String deviceName() {
        String d = device.trim().toLowerCase(java.util.Locale.ROOT);
        if (!d.equals("cpu") && !d.equals("gpu")) {
            throw new IllegalArgumentException("--device must be cpu or gpu, got '" + device + "'");
        }
        return d;
    }

    /**
     * The DJL device of {@code name} in this JVM; "gpu" needs a GPU the PyTorch engine sees
     * (the CUDA build of libtorch and a driver), and says so when there is none.
     */
    static Device device(String name) {
        if (name.equals("cpu")) {
            return Device.cpu();
        }
        Engine engine = Engine.getEngine("PyTorch");
        if (engine.getGpuCount() < 1) {
            throw new IllegalStateException("--device gpu: the PyTorch engine sees no GPU on this node (libtorch "
                    + engine.getVersion() + "; build with 'mvn -Pgpu' for the CUDA library, and run where a CUDA driver is)");
        }
        return Device.gpu();
    }
}
