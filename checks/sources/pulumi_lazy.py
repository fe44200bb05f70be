"""`pulumi_aws.ec2` and its siblings, loaded a name at a time in the program worker.

Each service package of `pulumi_aws` star-imports every one of its modules when first touched:
`aws.ec2.Vpc` builds the classes of some 180 resources and functions, a quarter of a second,
and the packages a program touches make up near half of a small scan. Here such a package
starts empty and takes each name from its own module when the program first asks for it; what
the program sees is what the eager package would hold:

- the name's value is the same object, and the order the package's `__init__.py` binds names
  in (a later star import wins; `get_ami` the function over `get_ami` the module) is worked out
  from that file and each module's `__all__`;
- `dir()`, `from pulumi_aws.ec2 import *` and `hasattr` see every name (the first two load the
  whole package); a name the package does not bind is an AttributeError, as before;
- a module imported on its own (`import pulumi_aws.ec2.get_ami`) does not displace the name the
  package binds in its place.

Only a package whose `__init__.py` has the generated shape is taken (star imports of modules
whose `__all__` is a literal list, and `from . import outputs`); any other (`pulumi_aws.config`)
loads as ever. A package first touched by importing one of its modules
(`import pulumi_aws.ec2.get_ami`) loads eagerly too, as the import system then does more than
bind names. Visible differences until the package is whole (after `dir()` or `import *`):
`vars(aws.ec2)` shows what was loaded so far, and its type is a subclass of the module type.

Part of the program worker's accelerators (`checks.sources.pulumi_speed`).
"""

from __future__ import annotations

import builtins
import importlib
import importlib.abc
import importlib.machinery
import re
import sys
import types
from pathlib import Path
from typing import Any

PACKAGE = "pulumi_aws"
# This file: a frame of it that raises a missing name's AttributeError stands for the module
# type's own lookup, which has no frame.
LAZY_FILE = Path(__file__).resolve()

# The lines a generated service package's __init__.py may hold, beside comments and blanks.
_HEADER = ("import builtins as _builtins", "from .. import _utilities", "import typing")
_STAR = re.compile(r"from \.(\w+) import \*")
_MODULE = re.compile(r"from \. import (\w+)")
_ALL = re.compile(r"^__all__ = \[(.*?)\]", re.MULTILINE | re.DOTALL)
_NAME = re.compile(r"'(\w+)'")
_ALL_ITEMS = re.compile(r"(?:\s*'\w+',?\s*)*")

# What a name of the package is: ("module", SUB) the submodule itself, ("attr", SUB, NAME) a
# name of that submodule.
Source = tuple


def plan(init: Path) -> dict[str, Source] | None:
    """Every name the package's `__init__.py` binds, with where its final value comes from;
    None when the file is not of the generated shape."""
    try:
        lines = init.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    names: dict[str, Source] = {}
    header = 0
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if header < len(_HEADER):  # the three header lines first, in their order
            if line != _HEADER[header]:
                return None
            header += 1
            continue
        if star := _STAR.fullmatch(line):
            sub = star.group(1)
            exported = _exports(init.parent / f"{sub}.py")
            if exported is None:
                return None
            names[sub] = ("module", sub)  # the import binds the module, then its names
            for name in exported:
                names[name] = ("attr", sub, name)
        elif module := _MODULE.fullmatch(line):
            names[module.group(1)] = ("module", module.group(1))
        else:
            return None
    return names if header == len(_HEADER) else None


def _exports(path: Path) -> list[str] | None:
    """The names a module's literal `__all__` lists, read from its text."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    found = _ALL.search(text)
    if found is None or not _ALL_ITEMS.fullmatch(found.group(1)):
        return None
    return _NAME.findall(found.group(1))


class _Package(types.ModuleType):
    """A service package whose names are loaded when first asked for."""

    def __getattr__(self, name: str) -> Any:
        names = _plans.get(self.__name__)
        source = names.get(name) if names is not None else None
        if source is None or source == _DELETED:
            if name in self.__dict__:  # loaded by another thread meanwhile, plan and all
                return self.__dict__[name]
            if name == "__all__" and names is not None:
                _load_all(self)  # `import *` then reads the whole namespace, as before
            # As the module type raises it: with the name and the module (what tracebacks
            # and `checks.sources.program_errors` read).
            raise AttributeError(
                f"module {self.__name__!r} has no attribute {name!r}", name=name, obj=self
            )
        return _load(self, name, source)

    def __dir__(self) -> list[str]:
        _load_all(self)
        return sorted(self.__dict__)

    def __setattr__(self, name: str, value: Any) -> None:
        # The import system binds a submodule on its package once loaded; where the package
        # binds another value under that name, the name stays for `__getattr__` to give, as
        # the eager package, which loaded the submodule long before, keeps its own value.
        names = _plans.get(self.__name__)
        source = names.get(name) if names is not None else None
        child = sys.modules.get(f"{self.__name__}.{name}")
        if source not in (None, ("module", name)) and child is not None and value is child:
            self.__dict__.pop(name, None)
            return
        super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        # A name not loaded yet is the eager package's all the same: deleting it succeeds,
        # and it stays deleted.
        names = _plans.get(self.__name__)
        if names is not None and names.get(name) not in (None, _DELETED):
            names[name] = _DELETED
            self.__dict__.pop(name, None)
            return
        super().__delattr__(name)


_DELETED: Source = ("deleted",)
# Package name -> its plan (a copy of its loader's), while some of its names are not loaded.
_plans: dict[str, dict[str, Source]] = {}


def _load(package: types.ModuleType, name: str, source: Source) -> Any:
    sub = importlib.import_module(f"{package.__name__}.{source[1]}")
    value = sub if source[0] == "module" else getattr(sub, source[2])
    package.__dict__[name] = value
    return value


def _load_all(package: types.ModuleType) -> None:
    names = _plans.get(package.__name__)
    if names is None:
        return
    for name, source in names.items():
        # A name set since (by the program, say) is kept; one it deleted stays deleted.
        if source != _DELETED and name not in package.__dict__:
            _load(package, name, source)
    _plans.pop(package.__name__, None)
    package.__class__ = types.ModuleType  # whole now: a plain module, as the eager one


class _Loader(importlib.abc.Loader):
    def __init__(self, names: dict[str, Source], eager: Any) -> None:
        self.names = names
        self.eager = eager  # the package's own loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Any:
        return self.eager.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        if _for_a_submodule(module):
            # `import pulumi_aws.ec2.get_ami` as the first touch of the package: the import
            # system goes on to bind the submodule over what the package bound, and more;
            # the package's own loader does exactly what it always does.
            self.eager.exec_module(module)
            return
        # What the header lines bind; everything else waits for its first use.
        module.__dict__["__builtins__"] = builtins.__dict__
        module.__dict__["_builtins"] = builtins
        parent = module.__name__.rpartition(".")[0]
        module.__dict__["_utilities"] = importlib.import_module(f"{parent}._utilities")
        module.__dict__["typing"] = importlib.import_module("typing")
        # Loaded again (`importlib.reload`): the eager package's star imports bind each of
        # their names afresh, over whatever the program set; so they are given afresh.
        for name, source in self.names.items():
            if source[0] == "attr":
                module.__dict__.pop(name, None)
        _plans[module.__name__] = dict(self.names)
        module.__class__ = _Package


def _for_a_submodule(module: types.ModuleType) -> bool:
    """Whether the package is being loaded because an import of one of its submodules asked
    for its `__path__` (the import system's `_find_and_load_unlocked`, with the package as its
    `parent_module`)."""
    frame = sys._getframe(2)
    while frame is not None:
        if (
            frame.f_code.co_name == "_find_and_load_unlocked"
            and frame.f_locals.get("parent_module") is module
        ):
            return True
        frame = frame.f_back
    return False


class _Finder(importlib.abc.MetaPathFinder):
    def __init__(self, package: str) -> None:
        self.package = package

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        parent, _, leaf = fullname.rpartition(".")
        if parent != self.package or not leaf or path is None:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.origin is None or not spec.submodule_search_locations:
            return None
        names = plan(Path(spec.origin))
        if names is None:
            return None  # not the generated shape: the package loads as it always does
        spec.loader = _Loader(names, spec.loader)
        return spec


def install(package: str = PACKAGE) -> None:
    """Load the service packages of `package` lazily from now on (once per process)."""
    if not any(isinstance(f, _Finder) and f.package == package for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder(package))
