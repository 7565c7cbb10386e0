// libFuzzer target `safetensors`: the safetensors reader (header JSON, offsets, shapes, dtypes)
// and the checkpoint metadata it carries (model_config, training_config, trainer_state), as
// `Checkpoint.read` uses them. Any input must give a checkpoint or an error, never a crash, a
// trap or a hang. Built and run by run.sh.
import Foundation

func fuzzSafeTensors(_ data: UnsafePointer<UInt8>, _ size: Int) {
    guard let file = try? SafeTensors(parsing: Data(bytes: data, count: size), name: "fuzz") else { return }
    for entry in file.entries {
        precondition(entry.tensor.count == entry.tensor.shape.reduce(1, *), "a parsed tensor must hold its shape's values")
    }
    if let checkpoint = try? Checkpoint(file, name: "fuzz") {
        _ = try? checkpoint.model.validate()
        _ = try? checkpoint.training?.validate()
    }
}
