using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Layers;
using LayerDsl.Generator.Models;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace LayerDsl.Generator;

/// <summary>
/// Reports the diagnostics that have code fixes on real source locations (a generator's diagnostics cannot be fixed
/// in an IDE). It runs the same <see cref="Parser"/> and <see cref="ShapeInference"/> as <see cref="ModelGenerator"/>,
/// which leaves exactly these IDs to it, so each diagnostic appears once.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ModelAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Property of LDSL0013: the input features inference found, as a decimal number.</summary>
    public const string InferredFeaturesProperty = "InferredFeatures";

    /// <summary>Property of LDSL0011, present (value <c>true</c>) when <c>Padding = Padding.Same</c> makes the layer's shape valid.</summary>
    public const string PaddingSameFixesProperty = "PaddingSameFixes";

    /// <summary>The IDs this analyzer reports and the generator does not.</summary>
    public static readonly ImmutableArray<string> ReportedIds = ImmutableArray.Create(
        DiagnosticIds.ModelNotPartial,
        DiagnosticIds.WindowLargerThanInput,
        DiagnosticIds.DenseInFeaturesMismatch);

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        ReportedIds.Select(DiagnosticDescriptors.Get).ToImmutableArray();

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        // The generated half of a model carries [GeneratedCode], which makes the whole class count as generated code;
        // the diagnostics themselves are always on the user's attributes or class name.
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.Analyze | GeneratedCodeAnalysisFlags.ReportDiagnostics);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            var input = start.Compilation.GetTypeByMetadataName(LayerKinds.InputAttribute);
            if (input is not null)
            {
                start.RegisterSymbolAction(symbol => Analyze(symbol, input), SymbolKind.NamedType);
            }
        });
    }

    private static void Analyze(SymbolAnalysisContext context, INamedTypeSymbol inputAttribute)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (type.TypeKind != TypeKind.Class
            || !type.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, inputAttribute)))
        {
            return;
        }

        var result = ShapeInference.Run(Parser.Parse(type, context.CancellationToken));
        foreach (var info in result.Diagnostics)
        {
            if (!ReportedIds.Contains(info.Id) || ToLocation(info.Location, type, context.Compilation) is not { } location)
            {
                continue;
            }

            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.Get(info.Id), location, Properties(info, result.Model), info.Arguments.ToArray<object>()));
        }
    }

    private static ImmutableDictionary<string, string?>? Properties(DiagnosticInfo info, ModelSpec model)
    {
        if (info.Id == DiagnosticIds.DenseInFeaturesMismatch)
        {
            // {2} of the message: "... but its input has {2} features".
            return ImmutableDictionary<string, string?>.Empty.Add(InferredFeaturesProperty, info.Arguments[2]);
        }

        if (info.Id == DiagnosticIds.WindowLargerThanInput && PaddingSameFixes(info, model))
        {
            return ImmutableDictionary<string, string?>.Empty.Add(PaddingSameFixesProperty, "true");
        }

        return null;
    }

    /// <summary>
    /// Re-runs inference with the faulty layer set to <c>Padding.Same</c> (only convolutions have that option) and
    /// checks that the layer then reports nothing.
    /// </summary>
    private static bool PaddingSameFixes(DiagnosticInfo info, ModelSpec model)
    {
        var layers = model.Layers.ToList();
        var index = layers.FindIndex(l => l.ArgumentLocation("kernelSize") == info.Location);
        if (index < 0)
        {
            return false;
        }

        var layer = layers[index];
        LayerSpec? padded = layer switch
        {
            Conv2DLayer conv => conv with { Padding = 1 },
            MaskedConvLayer masked => masked with { Padding = 1 },
            _ => null,
        };
        if (padded is null || layer.Location is not { } span)
        {
            return false;
        }

        layers[index] = padded;
        var rerun = ShapeInference.Run(model with { Layers = layers.ToEquatableArray() });
        return !rerun.Diagnostics.Any(d =>
            d.Location is { } at && at.FilePath == span.FilePath && at.Start >= span.Start && at.Start + at.Length <= span.Start + span.Length);
    }

    private static Location? ToLocation(LocationInfo? info, INamedTypeSymbol type, Compilation compilation)
    {
        if (info is null)
        {
            return null;
        }

        var tree = type.DeclaringSyntaxReferences.Select(r => r.SyntaxTree).FirstOrDefault(t => t.FilePath == info.FilePath)
            ?? compilation.SyntaxTrees.FirstOrDefault(t => t.FilePath == info.FilePath);
        return tree is null ? null : Location.Create(tree, new TextSpan(info.Start, info.Length));
    }
}
