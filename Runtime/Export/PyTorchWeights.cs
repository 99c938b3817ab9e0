using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace LayerDsl.Export;

/// <summary>
/// A module's state dict in PyTorch's own file format, so that <c>model.load_state_dict(torch.load(path))</c> works in
/// Python and a file written by <c>torch.save(model.state_dict(), path)</c> loads here.
/// </summary>
/// <remarks>
/// The files are <c>torch.save</c>'s zip format (PyTorch 1.6 and newer write it by default), read and written by
/// TorchSharp.PyBridge in managed code: a pickled <c>OrderedDict</c> of tensors, nothing else, so
/// <c>torch.load(path, weights_only=True)</c> reads them too. The legacy format (before 1.6, or
/// <c>_use_new_zipfile_serialization=False</c>) and whole pickled models are refused with a message saying so.
/// Keys are the module's state-dict keys (its field names), so a PyTorch twin with the same attribute names and
/// parameter shapes loads them unchanged.
/// </remarks>
public static class PyTorchWeights
{
    /// <summary>
    /// Writes the module's parameters and buffers (its <c>state_dict()</c>) to <paramref name="path"/> atomically:
    /// a temporary file in the same folder, then moved over the target.
    /// </summary>
    /// <param name="module">The module, on any device.</param>
    /// <param name="path">The file to write, by PyTorch's convention <c>*.pt</c> or <c>*.pth</c>.</param>
    public static void Save(nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        AtomicFile.Write(path, stream => module.save_py(stream, skip: null, leaveOpen: true));
    }

    /// <summary>
    /// Reads a state dict written by <c>torch.save(model.state_dict(), path)</c> (or by <see cref="Save"/>) into the
    /// module. Every key must match one of the module's, with the same shape, and no key may be missing; otherwise
    /// nothing is changed and the message lists the missing, unexpected and mis-shaped entries.
    /// </summary>
    /// <param name="module">The module whose parameters and buffers are overwritten (values converted to their
    /// dtype and device, as PyTorch's <c>load_state_dict</c> does).</param>
    /// <param name="path">The file to read.</param>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a state dict in torch.save's zip format, or it does not
    /// fit the module.</exception>
    public static void Load(nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"There are no PyTorch weights at '{path}'.", path);

        Hashtable table;
        try
        {
            using var stream = File.OpenRead(path);
            table = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true);
        }
        catch (Exception e) when (e is not IOException and not UnauthorizedAccessException)
        {
            throw new InvalidDataException(
                $"'{path}' is not a state dict in torch.save's zip format: {e.Message} "
                + "Write it with torch.save(model.state_dict(), path) from PyTorch 1.6 or newer.", e);
        }

        var loaded = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (DictionaryEntry entry in table)
            {
                if (entry.Key is string key && entry.Value is Tensor tensor)
                    loaded[key] = tensor;
            }
            var expected = module.state_dict();
            var problems = new List<string>();
            var missing = expected.Keys.Where(k => !loaded.ContainsKey(k)).ToList();
            var unexpected = loaded.Keys.Where(k => !expected.ContainsKey(k)).ToList();
            if (missing.Count > 0)
                problems.Add($"missing: {string.Join(", ", missing)}");
            if (unexpected.Count > 0)
                problems.Add($"unexpected: {string.Join(", ", unexpected)}");
            foreach (var (key, target) in expected)
            {
                // A 0-d tensor (such as num_batches_tracked) may come back as [1]: the element count decides.
                if (loaded.TryGetValue(key, out Tensor? source) && !SameShape(source, target))
                    problems.Add($"'{key}' has shape [{string.Join(", ", source.shape)}] in the file and [{string.Join(", ", target.shape)}] in the module");
            }
            if (problems.Count > 0)
                throw new InvalidDataException(
                    $"The state dict in '{path}' does not fit {module.GetType().Name}: {string.Join("; ", problems)}. "
                    + "The file must come from a model with the same layers (state-dict keys) and shapes.");

            using (no_grad())
            {
                foreach (var (key, target) in expected)
                    target.copy_(loaded[key].reshape(target.shape));
            }
        }
        finally
        {
            foreach (Tensor tensor in loaded.Values)
                tensor.Dispose();
        }
    }

    private static bool SameShape(Tensor source, Tensor target) =>
        source.shape.SequenceEqual(target.shape)
        || (target.dim() == 0 && source.numel() == 1);
}
