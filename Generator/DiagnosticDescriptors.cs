using System.Collections.Generic;
using System.Linq;
using LayerDsl.Generator.Models;
using Microsoft.CodeAnalysis;

namespace LayerDsl.Generator;

/// <summary>Every diagnostic LayerDsl reports. IDs are sequential and never reused; each links to its README section.</summary>
internal static class DiagnosticDescriptors
{
    public const string HelpLinkBase = "https://github.com/layerdsl/layerdsl/blob/main/README.md#";

    private const string Declaration = "LayerDsl.Declaration";
    private const string Shapes = "LayerDsl.Shapes";

    public static readonly DiagnosticDescriptor ModelNotPartial = Error(
        DiagnosticIds.ModelNotPartial, Declaration, "Model class must be partial",
        "'{0}' must be declared partial so that LayerDsl can generate its module; add the partial modifier");

    public static readonly DiagnosticDescriptor ModelIsGeneric = Error(
        DiagnosticIds.ModelIsGeneric, Declaration, "Model class cannot be generic",
        "'{0}' is generic or nested in a generic type; a LayerDsl model has fixed shapes, so remove the type parameters");

    public static readonly DiagnosticDescriptor ContainingTypeNotPartial = Error(
        DiagnosticIds.ContainingTypeNotPartial, Declaration, "Containing type must be partial",
        "'{0}' is nested in '{1}', which is not partial; make every containing type partial");

    public static readonly DiagnosticDescriptor UnsupportedModelKind = Error(
        DiagnosticIds.UnsupportedModelKind, Declaration, "Model must be a non-static class",
        "'{0}' is a {1}; a LayerDsl model must be a non-static, non-record class");

    public static readonly DiagnosticDescriptor ModelHasBaseType = Error(
        DiagnosticIds.ModelHasBaseType, Declaration, "Model class cannot declare another base class",
        "'{0}' derives from '{1}'; LayerDsl makes the model a Module<Tensor, Tensor>, so remove the base class");

    public static readonly DiagnosticDescriptor MissingInput = Error(
        DiagnosticIds.MissingInput, Declaration, "Model has no Input",
        "'{0}' has layer attributes but no [Input(height, width, channels)]; add one so that the layer shapes can be inferred");

    public static readonly DiagnosticDescriptor DuplicateInput = Error(
        DiagnosticIds.DuplicateInput, Declaration, "Model has more than one Input",
        "'{0}' declares [Input] {1} times; a model has exactly one input, remove the others");

    public static readonly DiagnosticDescriptor LayersSplitAcrossDeclarations = Error(
        DiagnosticIds.LayersSplitAcrossDeclarations, Declaration, "Layer attributes are split over several partial declarations",
        "'{0}' has LayerDsl attributes on {1} partial declarations; their order across declarations is undefined, so put them all on one");

    public static readonly DiagnosticDescriptor MemberCollision = Error(
        DiagnosticIds.MemberCollision, Declaration, "Member collides with a generated member",
        "'{0}' declares '{1}', which LayerDsl generates; rename or remove it");

    public static readonly DiagnosticDescriptor InvalidArgument = Error(
        DiagnosticIds.InvalidArgument, Shapes, "Invalid layer argument",
        "{0}: {1} must be {2}, but is {3}");

    public static readonly DiagnosticDescriptor WindowLargerThanInput = Error(
        DiagnosticIds.WindowLargerThanInput, Shapes, "Window larger than its input",
        "{0} slides a {1} window over a {2} input, so its output would be {3}; {4}");

    public static readonly DiagnosticDescriptor WrongInputRank = Error(
        DiagnosticIds.WrongInputRank, Shapes, "Layer gets an input of the wrong rank",
        "{0} needs {1}, but gets {2} from {3}; {4}");

    public static readonly DiagnosticDescriptor DenseInFeaturesMismatch = Error(
        DiagnosticIds.DenseInFeaturesMismatch, Shapes, "Dense InFeatures does not match its input",
        "{0} is pinned to InFeatures = {1}, but its input has {2} features ({3}); remove InFeatures or set it to {2}");

    public static readonly DiagnosticDescriptor SizeOverflow = Error(
        DiagnosticIds.SizeOverflow, Shapes, "Size arithmetic overflows",
        "{0}: {1}");

    public static readonly DiagnosticDescriptor NoLayers = Error(
        DiagnosticIds.NoLayers, Declaration, "Model has no layers",
        "'{0}' has no layers; add at least one layer attribute");

    public static readonly DiagnosticDescriptor InternalError = Error(
        DiagnosticIds.InternalError, Declaration, "LayerDsl could not process a model",
        "LayerDsl could not process '{0}': {1}; please report this with the model's declaration");

    public static readonly DiagnosticDescriptor ConstructorDoesNotChain = Error(
        DiagnosticIds.ConstructorDoesNotChain, Declaration, "Constructor does not chain to the generated constructor",
        "A constructor of '{0}' calls no other constructor, but LayerDsl makes '{0}' a Module<Tensor, Tensor>, whose base constructor needs a name; add ': this(device)' (or ': this(null)') to create the layers, or ': base(nameof({0}))'");

    public static readonly DiagnosticDescriptor UnknownLayerAttribute = Error(
        DiagnosticIds.UnknownLayerAttribute, Declaration, "Layer attribute has no generator rule",
        "{0} is a LayerDsl layer attribute, but this version of the LayerDsl generator has no rule for it; use the LayerDsl package's generator and runtime of the same version");

    public static readonly DiagnosticDescriptor InputNotFirst = new(
        DiagnosticIds.InputNotFirst, "[Input] is not the first layer attribute", "{0} comes after {1}; layers run in attribute order from the input, so {1} runs first, after the input; move {0} above the layers",
        Declaration, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + DiagnosticIds.InputNotFirst.ToLowerInvariant());

    public static readonly DiagnosticDescriptor ConvolutionArgumentsLookSwapped = new(
        DiagnosticIds.ConvolutionArgumentsLookSwapped, "Convolution arguments may be swapped",
        "{0} builds {1} over a {2} input; {3}, so if you meant {4}, write {5}",
        Shapes, DiagnosticSeverity.Info, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + DiagnosticIds.ConvolutionArgumentsLookSwapped.ToLowerInvariant());

    public static readonly DiagnosticDescriptor NotABlock = Error(
        DiagnosticIds.NotABlock, Declaration, "Type argument is not a block",
        "{0}: {1}; a block is a partial class marked [Block] with layer attributes and no [Input]");

    public static readonly DiagnosticDescriptor BlockCycle = Error(
        DiagnosticIds.BlockCycle, Declaration, "Blocks use each other in a cycle",
        "{0}: {1} is a cycle; a block cannot contain itself, directly or through other blocks");

    public static readonly DiagnosticDescriptor BlockHasErrors = Error(
        DiagnosticIds.BlockHasErrors, Declaration, "Placed block or layer has errors of its own",
        "{0}: {1} has errors of its own; fix them where {1} is declared");

    public static readonly DiagnosticDescriptor ResidualShapeMismatch = Error(
        DiagnosticIds.ResidualShapeMismatch, Shapes, "Residual block changes the shape",
        "{0} adds the block's input {1} to its output {2}, but the shapes differ; {3}");

    public static readonly DiagnosticDescriptor BranchShapeMismatch = Error(
        DiagnosticIds.BranchShapeMismatch, Shapes, "Branch outputs cannot be combined",
        "{0} {1}, but the branches give {2}; make the branches agree");

    public static readonly DiagnosticDescriptor BlockWithInput = Error(
        DiagnosticIds.BlockWithInput, Declaration, "Block declares an Input",
        "'{0}' is marked [Block] and has an [Input]; a block takes its input from where it is used, so remove [Input] (or [Block] to make it a model)");

    public static readonly DiagnosticDescriptor ReshapeSizeMismatch = Error(
        DiagnosticIds.ReshapeSizeMismatch, Shapes, "Reshape changes the number of values",
        "{0} needs {2} values per sample, but its input has {1}; give dimensions whose product is the input's size, or one -1");

    public static readonly DiagnosticDescriptor ChannelsNotDivisibleByGroups = Error(
        DiagnosticIds.ChannelsNotDivisibleByGroups, Shapes, "Channels do not split into the groups",
        "{0}: its input's {1} channels ({2}) do not split into {3} groups; use a number of groups that divides {1}");

    public static readonly DiagnosticDescriptor BlockFromAnotherAssembly = Error(
        DiagnosticIds.BlockFromAnotherAssembly, Declaration, "Block declared in another assembly",
        "{0}: {1} is declared in another assembly, whose generated code knows only the input shapes of its own models; declare the block in this project");

    public static readonly DiagnosticDescriptor MalformedContract = Error(
        DiagnosticIds.MalformedContract, Shapes, "Shape contract cannot be read",
        "The [LayerShape] contract of {0} cannot be read at column {1}: {2}");

    public static readonly DiagnosticDescriptor UnknownContractName = Error(
        DiagnosticIds.UnknownContractName, Shapes, "Shape contract names an unknown value",
        "The [LayerShape] contract of {0} uses '{1}', which is neither a dimension of its input pattern nor an integer constructor parameter of {0}; bind it in the input pattern or add the parameter");

    public static readonly DiagnosticDescriptor ContractRankMismatch = Error(
        DiagnosticIds.ContractRankMismatch, Shapes, "Layer gets an input its contract does not take",
        "{0} takes {1} by its contract \"{2}\", but gets {3} from {4}");

    public static readonly DiagnosticDescriptor ContractFails = Error(
        DiagnosticIds.ContractFails, Shapes, "Shape contract does not hold",
        "{0} with {1}: {2}");

    public static readonly DiagnosticDescriptor ContractArguments = Error(
        DiagnosticIds.ContractArguments, Shapes, "Arguments do not fit the layer's constructor",
        "{0}: {1}");

    public static readonly DiagnosticDescriptor NotAContractLayer = Error(
        DiagnosticIds.NotAContractLayer, Declaration, "Type cannot be placed as a layer",
        "{0}: {1}");

    private static readonly Dictionary<string, DiagnosticDescriptor> ById = typeof(DiagnosticDescriptors)
        .GetFields()
        .Select(f => f.GetValue(null))
        .OfType<DiagnosticDescriptor>()
        .ToDictionary(d => d.Id);

    public static IEnumerable<DiagnosticDescriptor> All => ById.Values.OrderBy(d => d.Id);

    public static DiagnosticDescriptor Get(string id) => ById[id];

    /// <summary>True when the diagnostic stops the model (an error by default); warnings and information do not.</summary>
    public static bool IsError(string id) => Get(id).DefaultSeverity == DiagnosticSeverity.Error;

    private static DiagnosticDescriptor Error(string id, string category, string title, string message) =>
        new(id, title, message, category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + id.ToLowerInvariant());
}
