"""Agreement between a source model's own inference and the imported integer model's, on the
same images: accuracy of each, the share of images where their predictions agree, and the
integer model's spike rate (the trainer's independent integer twin runs it)."""
import torch
from joule_train import integer_twin


def float_predictions(model, x_float, batch=500):
    preds = []
    with torch.no_grad():
        for i in range(0, len(x_float), batch):
            preds.append(model(x_float[i:i + batch].float()).argmax(1))
    return torch.cat(preds)


def compare(json_path, source_preds, images, labels, T, source_ties=None):
    """One row: T, integer accuracy, source accuracy, prediction agreement (also over the images
    where the source's top score is not tied, when `source_ties` is given), spike rate."""
    preds, acc, stats = integer_twin.evaluate(json_path, images, labels, T)
    _, total, _ = integer_twin.summarize(stats, T)
    p = torch.from_numpy(preds.astype("int64"))
    row = {"T": T, "joule_accuracy": acc, "source_accuracy": float((source_preds == labels).double().mean()),
           "agreement": float((p == source_preds).double().mean()), "spike_rate": total[1],
           "sparsity": total[0]}
    if source_ties is not None:
        untied = ~source_ties
        row["source_ties"] = int(source_ties.sum())
        row["agreement_untied"] = float((p[untied] == source_preds[untied]).double().mean())
    return row


def table(rows, source="float model"):
    untied = any("agreement_untied" in r for r in rows)
    lines = [f"{'T':>4} {'Joule QNN/SNN':>14} {source:>14} {'agreement':>10}"
             + (f" {'untied':>9}" if untied else "") + f" {'spike rate':>11}"]
    for r in rows:
        lines.append(f"{r['T']:>4} {r['joule_accuracy'] * 100:13.2f}% {r['source_accuracy'] * 100:13.2f}% "
                     f"{r['agreement'] * 100:9.2f}%"
                     + (f" {r['agreement_untied'] * 100:8.2f}%" if untied else "")
                     + f" {r['spike_rate'] * 100:10.3f}%")
    if untied:
        lines.append(f"untied: agreement over the images where the source's top score is unique "
                     f"({rows[0]['source_ties']} of its outputs are ties)")
    return "\n".join(lines)
