using System;

namespace LayerDsl.Training;

/// <summary>
/// Data that does not fit the model or itself: a label outside the model's classes, a label count different from the
/// input count, labels that are not int64 class indices, or a model whose output is not one logit per class. The
/// message names the data set, the offending value and its index, and what the model expects.
/// </summary>
public sealed class DataMismatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DataMismatchException(string message)
        : base(message)
    {
    }
}
