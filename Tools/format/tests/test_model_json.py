"""joule_format.model_json: the committed models load with their layers resolved; malformed
descriptions and tensors fail with a message naming the file, the layer and the fault."""
import copy
import json
import os

import numpy as np
import pytest
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))

from joule_format import FormatError, model_json, safetensors


def test_committed_models_resolve_inputs_and_drop_training_only_layers():
    m = model_json.load(os.path.join(ROOT, "Models", "spiking-resnet-sbp.json"))
    assert m.name == "spiking-resnet-sbp" and m.timesteps == 6 and m.input_shape == (1, 28, 28)
    assert m.training_only[:2] == ["b1gap", "b1head"] and m.outputs == 10
    kept = {L["name"] for L in m.layers}
    assert not kept & set(m.training_only)
    assert all(L["input"] == "input" or L["input"] in kept for L in m.layers)
    assert m.layers[0]["reads_input"] and not any(L["reads_input"] for L in m.layers[1:])
    assert any(L.get("residual") for L in m.layers)
    tiny = model_json.load(os.path.join(ROOT, "Tests", "Fixtures", "tiny.json"))
    assert [L["out_shape"] for L in tiny.layers] == [(8, 12, 12), (8, 6, 6), (8, 6, 6), (12, 4, 4), (12, 2, 2),
                                                      (48,), (16,), (5,)]
    pool = tiny.layer("pool1")
    assert pool["stride"] == [2, 2] and pool["padding"] == [0, 0]


def tiny_doc():
    doc = {"format": "joule-model", "version": 1, "name": "t", "weights": "t.safetensors",
           "input": {"channels": 1, "height": 4, "width": 4, "scale": 1 / 255}, "timesteps": 2,
           "layers": [{"name": "c", "type": "conv2d", "outChannels": 2, "kernel": [3, 3], "padding": [1, 1],
                       "shift": 8},
                      {"name": "p", "type": "avgpool", "kernel": [2, 2]},
                      {"name": "side", "type": "linear", "input": "p", "outFeatures": 3, "shift": 8,
                       "activation": "none", "trainingOnly": True},
                      {"name": "f", "type": "flatten", "input": "p"},
                      {"name": "h", "type": "linear", "outFeatures": 3, "shift": 8, "activation": "none"}]}
    tensors = {"c.weight": np.ones((2, 1, 3, 3), np.int8), "c.multiplier": np.full(2, 100, np.int32),
               "c.bias": np.zeros(2, np.int64), "h.weight": np.ones((3, 8), np.int8),
               "h.multiplier": np.full(3, 100, np.int32)}
    return doc, tensors


def test_a_valid_description_and_the_document_is_left_as_it_was():
    doc, tensors = tiny_doc()
    before = copy.deepcopy(doc)
    m = model_json.from_doc(doc, tensors, "t.json")
    assert doc == before
    assert [L["name"] for L in m.layers] == ["c", "p", "f", "h"] and m.training_only == ["side"]
    assert m.layer("c")["stride"] == [1, 1] and m.layer("c")["activation"] == "quant"
    q, M, B = m.weights(m.layer("h"))
    assert q.dtype == M.dtype == B.dtype == np.int64 and B.tolist() == [0, 0, 0]


def edit(fn):
    doc, tensors = tiny_doc()
    fn(doc, tensors)
    return doc, tensors


J, W = "t.json", "t.safetensors"   # the file an error names: the description or the weights
CASES = [
    (lambda d, t: d.update(format="onnx"), J, "field 'format' must be \"joule-model\""),
    (lambda d, t: d.update(version=2), J, "field 'version' must be 1"),
    (lambda d, t: d.update(timesteps=0), J, "field 'timesteps' must be an integer 1…255"),
    (lambda d, t: d["input"].pop("width"), J, "field 'input.width' must be an integer ≥ 1"),
    (lambda d, t: d["layers"][1].update(type="lstm"), J, "layer 'p': unknown type 'lstm'"),
    (lambda d, t: d["layers"][1].update(name="c"), J, "layer 'c': name used twice"),
    (lambda d, t: d["layers"][3].update(input="nowhere"), J, "layer 'f': input 'nowhere' is not an earlier layer"),
    (lambda d, t: d["layers"][3].update(input="side"), J, "layer 'f': input 'side' is a training-only layer"),
    (lambda d, t: d["layers"][0].update(kernel=[5, 5], padding=[0, 0]), J, "layer 'c': kernel [5, 5] does not fit"),
    (lambda d, t: d["layers"][1].update(padding=[1, 1]), J, "layer 'p': pooling requires padding [0, 0]"),
    (lambda d, t: d["layers"][4].update(residual="c"), J, "layer 'h': residual 'c' has shape (2, 4, 4)"),
    (lambda d, t: d["layers"][0].pop("shift"), J, "layer 'c': field 'shift' must be an integer 0…48"),
    (lambda d, t: d["layers"][4].update(activation="quant"), J, "layer 'h': the last layer must be conv2d or linear"),
    (lambda d, t: d["layers"][0].update(activation="none"), J, "layer 'c': activation \"none\" is for the last layer"),
    (lambda d, t: d.update(classes=["a", "b"]), J, "2 class names for 3 outputs"),
    (lambda d, t: d["layers"][0].update(neuron={"beta": 0.9}), J, "layer 'c': field 'neuron.beta' must be a multiple of 2^-16"),
    (lambda d, t: d["layers"][1].update(neuron={"beta": 0.5}), J, "layer 'p': field 'neuron': only conv2d and linear"),
    (lambda d, t: d["layers"][0].update(neuron={"leak": 0.5}), J, "layer 'c': field 'neuron' must be an object with"),
    (lambda d, t: d["layers"][0].update(neuron={"resetDelay": 1}), J, "layer 'c': field 'neuron.resetDelay' must be true or false"),
    (lambda d, t: d["layers"][0].update(neuron={"beta": 0.9375, "resetDelay": True, "fireAboveThreshold": True}),
     None, None),                                                        # valid: a leaky layer
    (lambda d, t: t.pop("h.weight"), W, "layer 'h': tensor 'h.weight' is missing"),
    (lambda d, t: t.update({"c.multiplier": np.full(2, 100, np.int64)}), W,
     "layer 'c': tensor 'c.multiplier' has dtype I64, expected I32"),
    (lambda d, t: t.update({"h.weight": np.ones((3, 9), np.int8)}), W,
     "layer 'h': tensor 'h.weight' has shape [3, 9], expected [3, 8]"),
    (lambda d, t: (d["layers"][0].update(weightBits=4), t["c.weight"].fill(8)), W,
     "layer 'c': weights out of range for weightBits 4"),
    (lambda d, t: t["c.weight"].fill(-128), W, "layer 'c': weights out of range for weightBits 8"),
    (lambda d, t: t["h.multiplier"].fill(0), W, "layer 'h': every multiplier must be > 0"),
    (lambda d, t: t["c.bias"].fill(2 ** 47), W, "layer 'c': bias magnitude"),
    # one linear layer on a 64×64 input: acc fits int32, M·acc·T does not fit int64
    (lambda d, t: (d.update(input={"channels": 1, "height": 64, "width": 64, "scale": 1.0}),
                   d.update(layers=[{"name": "h", "type": "linear", "outFeatures": 3, "shift": 0,
                                     "activation": "none"}]),
                   t.update({"h.weight": np.full((3, 4096), 127, np.int8),
                             "h.multiplier": np.full(3, 2 ** 31 - 1, np.int32)})), W,
     "layer 'h': A may overflow int64"),
    (lambda d, t: t.update({"c.weight": np.full((2, 1, 3, 3), 127, np.int8)}) or d["input"].update(channels=1),
     None, None),                                                        # valid: the bounds hold
]


@pytest.mark.parametrize("change,file,message", CASES)
def test_malformed_descriptions_name_file_layer_and_fault(tmp_path, change, file, message):
    doc, tensors = edit(change)
    (tmp_path / "t.json").write_text(json.dumps(doc))
    safetensors.save(tensors, str(tmp_path / "t.safetensors"))
    if message is None:
        model_json.load(str(tmp_path / "t.json"))
        return
    with pytest.raises(FormatError) as e:
        model_json.load(str(tmp_path / "t.json"))
    assert str(e.value).startswith(str(tmp_path / file) + ": "), str(e.value)
    assert message in str(e.value), str(e.value)


def test_invalid_json_and_missing_weights_name_the_file(tmp_path):
    (tmp_path / "bad.json").write_text("{\"format\": ")
    with pytest.raises(FormatError, match="bad.json: not valid JSON"):
        model_json.load(str(tmp_path / "bad.json"))
    doc, _ = tiny_doc()
    (tmp_path / "t.json").write_text(json.dumps(doc))
    with pytest.raises(FileNotFoundError, match="t.safetensors"):
        model_json.load(str(tmp_path / "t.json"))
    assert model_json.load(str(tmp_path / "t.json"), weights=False).tensors is None


def test_a_flatten_passes_the_model_input_on():
    """A layer reading the model input through `flatten` reads the analog input (k = T) and takes
    no residual, as packmodel's resolution says."""
    doc = {"format": "joule-model", "version": 1, "name": "t", "weights": "t.safetensors",
           "input": {"channels": 1, "height": 2, "width": 2, "scale": 1 / 255}, "timesteps": 2,
           "layers": [{"name": "f", "type": "flatten"},
                      {"name": "a", "type": "linear", "outFeatures": 4, "shift": 8},
                      {"name": "h", "type": "linear", "outFeatures": 2, "shift": 8, "activation": "none"}]}
    tensors = {"a.weight": np.ones((4, 4), np.int8), "a.multiplier": np.full(4, 10, np.int32),
               "h.weight": np.ones((2, 4), np.int8), "h.multiplier": np.full(2, 10, np.int32)}
    m = model_json.from_doc(doc, tensors, "t.json")
    assert m.layer("a")["reads_input"] and not m.layer("h")["reads_input"]
    doc["layers"][1]["input"] = "f"
    doc["layers"].insert(2, {"name": "b", "type": "linear", "input": "f", "outFeatures": 4, "shift": 8,
                             "residual": "a"})
    tensors.update({"b.weight": np.ones((4, 4), np.int8), "b.multiplier": np.full(4, 10, np.int32)})
    with pytest.raises(FormatError, match="layer 'b': a layer reading the model input takes no residual"):
        model_json.from_doc(doc, tensors, "t.json")
