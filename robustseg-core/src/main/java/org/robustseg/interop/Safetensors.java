package org.robustseg.interop;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.robustseg.engine.OwnedArrays;
import org.robustseg.io.AtomicFiles;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
 * {@code {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}} padded
 * with spaces to 8 bytes, then the tensors' raw little-endian bytes. DJL 0.36 reads and writes no
 * safetensors, and the format is this small, so it is written here. Float32 and int64 tensors.
 */
public final class Safetensors {
    private Safetensors() {}

    /** Writes {@code tensors} (name → array, in this order) and string {@code metadata} to {@code file}, atomically. */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) {
        ObjectNode header = ModelCard.MAPPER.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        Map<String, byte[]> data = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray a = e.getValue();
            String dtype = switch (a.getDataType()) {
                case FLOAT32 -> "F32";
                case INT64 -> "I64";
                default -> throw new IllegalArgumentException("safetensors export of " + e.getKey() + ": data type "
                        + a.getDataType() + " (float32 and int64 only)");
            };
            ByteBuffer bytes = a.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            byte[] raw = new byte[bytes.remaining()];
            bytes.get(raw);
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", dtype);
            var shape = t.putArray("shape");
            for (long d : a.getShape().getShape()) {
                shape.add(d);
            }
            t.putArray("data_offsets").add(offset).add(offset + raw.length);
            offset += raw.length;
            data.put(e.getKey(), raw);
        }
        byte[] json;
        try {
            json = ModelCard.MAPPER.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsBytes(header);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int padded = (json.length + 7) / 8 * 8;
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(len.array());
            out.write(json);
            for (int i = json.length; i < padded; i++) {
                out.write(' ');
            }
            for (byte[] raw : data.values()) {
                out.write(raw);
            }
        });
    }

    /** Reads every tensor of {@code file} into {@code manager}, by name, in the file's order. */
    public static Map<String, NDArray> read(Path file, NDManager manager) {
        try {
            byte[] all = Files.readAllBytes(file);
            ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
            long n = buf.getLong();
            if (n < 2 || 8 + n > all.length) {
                throw new IllegalArgumentException(file + " is not a safetensors file (header length " + n + ")");
            }
            JsonNode header = ModelCard.MAPPER.readTree(new String(all, 8, (int) n, StandardCharsets.UTF_8));
            Map<String, NDArray> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                JsonNode t = e.getValue();
                DataType type = switch (t.path("dtype").asText()) {
                    case "F32" -> DataType.FLOAT32;
                    case "I64" -> DataType.INT64;
                    default -> throw new IllegalArgumentException(file + ": tensor " + e.getKey() + " has dtype "
                            + t.path("dtype").asText() + " (F32 and I64 only)");
                };
                long[] shape = new long[t.path("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = t.path("shape").get(i).asLong();
                }
                int begin = (int) (8 + n + t.path("data_offsets").get(0).asLong());
                int end = (int) (8 + n + t.path("data_offsets").get(1).asLong());
                ByteBuffer slice = ByteBuffer.allocateDirect(end - begin).order(ByteOrder.nativeOrder());
                ByteBuffer src = ByteBuffer.wrap(all, begin, end - begin).order(ByteOrder.LITTLE_ENDIAN);
                if (type == DataType.FLOAT32) {
                    while (src.hasRemaining()) {
                        slice.putFloat(src.getFloat());
                    }
                } else {
                    while (src.hasRemaining()) {
                        slice.putLong(src.getLong());
                    }
                }
                slice.rewind();
                out.put(e.getKey(), OwnedArrays.of(manager, slice, new Shape(shape), type));
            }
            return out;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read safetensors " + file + ": " + e.getMessage(), e);
        }
    }
}
