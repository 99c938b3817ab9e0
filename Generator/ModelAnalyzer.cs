using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Layers;
using LayerDsl.Generator.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LayerDsl.Generator;

/// <summary>
/// Reports every LDSL diagnostic on real source locations, where editors show it, <c>#pragma</c> and
/// <c>.editorconfig</c> act on it and code fixes can change it. It runs the same <see cref="Parser"/> and
/// <see cref="ShapeInference"/> as <see cref="ModelGenerator"/>, which reports the same diagnostics only in builds where
/// analyzers do not run (see <see cref="ModelDiagnostics"/>), so each diagnostic appears once.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ModelAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Property of LDSL0013: the input features inference found, as a decimal number.</summary>
    public const string InferredFeaturesProperty = "InferredFeatures";

    /// <summary>Property of LDSL0011, present (value <c>true</c>) when <c>Padding = Padding.Same</c> makes the layer's shape valid.</summary>
    public const string PaddingSameFixesProperty = "PaddingSameFixes";

    /// <summary>Property of LDSL0024, present (value <c>true</c>) when <c>Project = true</c> makes the model's shapes valid.</summary>
    public const string ProjectFixesProperty = "ProjectFixes";

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = DiagnosticDescriptors.All.ToImmutableArray();

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        // The generated half of a model carries [GeneratedCode], which makes the whole class count as generated code;
        // the diagnostics themselves are always on the user's attributes or class name.
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.Analyze | GeneratedCodeAnalysisFlags.ReportDiagnostics);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            if (start.Compilation.GetTypeByMetadataName(LayerKinds.InputAttribute) is not null)
            {
                start.RegisterSymbolAction(Analyze, SymbolKind.NamedType);
            }
        });
    }

    private static void Analyze(SymbolAnalysisContext context)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        var hasContract = type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == UserLayerReader.LayerShapeAttribute);
        if (!hasContract && !type.GetAttributes().Any(a => Parser.IsLayerDslAttribute(a) || a.AttributeClass?.ToDisplayString() == LayerKinds.BlockAttribute))
        {
            return;
        }

        try
        {
            if (hasContract)
            {
                foreach (var info in UserLayerReader.ContractDiagnostics(type, context.CancellationToken))
                {
                    Report(context, info, null);
                }

                if (!type.GetAttributes().Any(Parser.IsLayerDslAttribute))
                {
                    return;
                }
            }

            if (Parser.MissingInput(type, context.CancellationToken) is { } missing)
            {
                Report(context, missing, null);
                return;
            }

            var parsed = Parser.Parse(type, context.CancellationToken);
            foreach (var info in ModelDiagnostics.Collect(parsed))
            {
                Report(context, info, Properties(info, parsed));
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.Get(DiagnosticIds.InternalError), type.Locations.FirstOrDefault(), type.Name, exception.Message));
        }
    }

    private static void Report(SymbolAnalysisContext context, DiagnosticInfo info, ImmutableDictionary<string, string?>? properties)
    {
        var diagnostic = ModelDiagnostics.ToDiagnostic(info, context.Compilation, properties);
        if (diagnostic.Location.IsInSource)
        {
            context.ReportDiagnostic(diagnostic);
        }
    }

    private static ImmutableDictionary<string, string?>? Properties(DiagnosticInfo info, ParsedModel parsed)
    {
        if (info.Id == DiagnosticIds.DenseInFeaturesMismatch)
        {
            // {2} of the message: "... but its input has {2} features".
            return ImmutableDictionary<string, string?>.Empty.Add(InferredFeaturesProperty, info.Arguments[2]);
        }

        if (info.Id == DiagnosticIds.WindowLargerThanInput && info.Site is { Kind: SiteKind.Layer } site && Fixes(site.Index, parsed.Spec, PaddedSame))
        {
            return ImmutableDictionary<string, string?>.Empty.Add(PaddingSameFixesProperty, "true");
        }

        if (info.Id == DiagnosticIds.ResidualShapeMismatch && info.Site is { Kind: SiteKind.Layer } residual
            && Fixes(residual.Index, parsed.Spec, layer => layer is ResidualLayer r ? r with { Project = true } : null))
        {
            return ImmutableDictionary<string, string?>.Empty.Add(ProjectFixesProperty, "true");
        }

        return null;
    }

    /// <summary>The layer with <c>Padding = Padding.Same</c> (only convolutions have that option), or null.</summary>
    private static LayerSpec? PaddedSame(LayerSpec layer) => layer switch
    {
        Conv2DLayer conv => conv with { Geometry = conv.Geometry with { Padding = 1, PadHeight = 0, PadWidth = 0 } },
        MaskedConvLayer masked => masked with { Padding = 1 },
        _ => null,
    };

    /// <summary>
    /// Re-runs inference with the layers of attribute <paramref name="index"/> changed by <paramref name="change"/> and
    /// checks that the whole model then has no error: a fix is offered only where it makes the model valid.
    /// </summary>
    private static bool Fixes(int index, ModelSpec model, System.Func<LayerSpec, LayerSpec?> change)
    {
        var layers = model.Layers.ToList();
        var changed = false;
        for (var i = 0; i < layers.Count; i++)
        {
            if (layers[i].Index == index && change(layers[i]) is { } replacement)
            {
                layers[i] = replacement;
                changed = true;
            }
        }

        return changed && ShapeInference.Run(model with { Layers = layers.ToEquatableArray() }).Trace is not null;
    }
}
