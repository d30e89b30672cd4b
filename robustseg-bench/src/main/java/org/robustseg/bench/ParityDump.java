package org.robustseg.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.robustseg.io.AtomicFiles;
import org.robustseg.model.SegmentationModel;
import org.robustseg.optim.InputGradient;
import org.robustseg.optim.Objectives;
import org.robustseg.provenance.Checkpoint;
import org.robustseg.provenance.Json;
import org.robustseg.provenance.Provenance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What robustseg computes for given images, written as NumPy files for a comparison with code
 * robustseg did not write ({@code bench/reference/parity.py} compares an imported torchvision
 * network's logits and input gradients with PyTorch's): the logits of the inference path (what
 * eval and the attacks' figures use) and the input gradient and per-image loss of the path every
 * attack, training recipe and synthesis preset uses ({@link InputGradient}, pixel cross-entropy,
 * BatchNorm in eval statistics); an inference-only (ONNX) model, its logits alone. One batch, as
 * given; the caller keeps it small.
 */
@Command(name = "parity-dump", mixinStandardHelpOptions = true,
        description = "Logits, pixel-CE input gradients and per-image losses of a checkpoint or imported model on given images (.npz in, .npz out).")
public final class ParityDump implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "Checkpoint file, run directory or model card.")
    Path checkpoint;

    @Option(names = "--inputs", required = true,
            description = ".npz holding 'images' (float32 N×3×H×W in [0,1], RGB) and 'labels' (integers N×H×W, 255 = ignore).")
    Path inputs;

    @Option(names = "--out", required = true,
            description = "Directory for robustseg.npz (logits; gradient and loss unless the model is inference-only) and parity-dump.json.")
    Path out;

    @Override
    public Integer call() throws IOException {
        Checkpoint ckpt = Checkpoint.open(checkpoint);
        try (SegmentationModel model = ckpt.loadModel(); NDManager m = model.manager().newSubManager()) {
            NDList in = read(m);
            NDArray x = named(in, "images");
            NDArray y = named(in, "labels");
            Shape xs = x.getShape();
            if (x.getDataType() != DataType.FLOAT32 || xs.dimension() != 4 || xs.get(1) != 3) {
                throw new IllegalArgumentException("--inputs " + inputs + ": 'images' must be float32 N×3×H×W, got "
                        + x.getDataType() + " " + xs);
            }
            if (!y.getDataType().isInteger() || !y.getShape().equals(new Shape(xs.get(0), xs.get(2), xs.get(3)))) {
                throw new IllegalArgumentException("--inputs " + inputs + ": 'labels' must be integers of shape "
                        + new Shape(xs.get(0), xs.get(2), xs.get(3)) + ", got " + y.getDataType() + " " + y.getShape());
            }
            NDArray logits = model.logits(x);
            logits.setName("logits");
            NDList result = new NDList(logits);
            if (model.spec().differentiable()) { // an ONNX network is inference only: its logits alone
                InputGradient g = InputGradient.of(model, x, Objectives.crossEntropy(), y.toType(DataType.INT64, false));
                g.gradient().setName("gradient");
                g.lossPerSample().setName("loss");
                result.add(g.gradient());
                result.add(g.lossPerSample());
            }
            AtomicFiles.write(out.resolve("robustseg.npz"), o -> result.encode(o, NDList.Encoding.NPZ));
            ObjectNode record = Json.object();
            record.put("checkpoint", ckpt.file().toAbsolutePath().toString());
            record.put("inputs", inputs.toAbsolutePath().toString());
            record.put("images", xs.get(0));
            record.put("objective", "ce: per image the mean pixel cross-entropy over labels != 255; gradient of the sum over images");
            record.put("batchnorm", "eval statistics");
            record.set("provenance", Provenance.of("bench parity-dump").put("checkpoint", ckpt.identity()).toJson());
            Json.write(out.resolve("parity-dump.json"), record);
        }
        System.out.println("wrote " + out.resolve("robustseg.npz") + " and parity-dump.json");
        return 0;
    }

    private NDList read(NDManager m) throws IOException {
        if (!Files.isRegularFile(inputs)) {
            throw new IllegalArgumentException("--inputs " + inputs + " does not exist");
        }
        try (InputStream in = Files.newInputStream(inputs)) {
            return NDList.decode(m, in);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--inputs " + inputs + " is not an .npz file DJL can read: " + e.getMessage(), e);
        }
    }

    private NDArray named(NDList list, String name) {
        NDArray a = list.get(name);
        if (a == null) {
            throw new IllegalArgumentException("--inputs " + inputs + " holds no array '" + name + "' (it holds " + list.stream()
                    .map(NDArray::getName).toList() + ")");
        }
        return a;
    }
}
