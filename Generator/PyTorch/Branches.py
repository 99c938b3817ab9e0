# Branches(name, merge, *branches), each branch a (name, module) pair; merge is "Concat" or "Sum"
# The PyTorch twin of LayerDsl.Modules.Branches, what [Concat<A, B>] and [Add<A, B>] generate: the branches are children
# under their names (concat1.branchA.conv1.weight), run on the same input; their outputs are concatenated along
# dimension 1 (the channels) or summed. name is the module's name in LayerDsl and changes nothing here.
class Branches(nn.Module):
    """Runs several modules on the same input and concatenates (dimension 1) or sums their outputs."""

    def __init__(self, name, merge, *branches):
        super().__init__()
        if merge not in ("Concat", "Sum"):
            raise ValueError(f"Branches {name!r}: merge {merge!r} is not one of 'Concat', 'Sum'.")
        if len(branches) < 2:
            raise ValueError(f"Branches {name!r} needs at least two (name, module) branches; got {len(branches)}.")
        # Underscored, so that no branch name collides with them.
        self._name = name
        self._merge = merge
        self._branch_names = []
        for branch_name, branch in branches:
            self.add_module(branch_name, branch)
            self._branch_names.append(branch_name)

    def forward(self, x):
        outputs = [getattr(self, branch_name)(x) for branch_name in self._branch_names]
        if self._merge == "Concat":
            return torch.cat(outputs, 1)
        total = outputs[0]
        for output in outputs[1:]:
            total = total + output
        return total
