"""Build script: the metadata is in setup.cfg; this adds the start-up hook.

nengo-tuning installs two files at the top level of site-packages, outside the
package: ``nengo_tuning_startup.pth`` and the module it imports at every
interpreter start-up, ``_nengo_tuning_startup.py`` (both in ``startup/``; what
they do is in the module's docstring). The build sub-command below puts them
into the wheel, regular or editable, so that the wheel's RECORD lists them and
``pip uninstall nengo-tuning`` removes them.
"""

import os
from typing import ClassVar

from setuptools import Command, setup
from setuptools.command.build import build

STARTUP_SOURCE_DIR = "startup"
STARTUP_FILES = ("nengo_tuning_startup.pth", "_nengo_tuning_startup.py")


class build_startup_hook(Command):  # pylint: disable=invalid-name
    """Copy the start-up hook's files to the top level of the wheel.

    A regular wheel installs what the build writes to ``build_lib``. An editable
    wheel (PEP 660) does not: setuptools' ``editable_wheel`` keeps only what is
    written into the wheel's own folder, where it points ``install``'s
    ``install_lib``, so that is where the files go in editable mode (a ``.pth``
    file works only in site-packages, so it cannot stay in the source tree).
    """

    description = "copy nengo-tuning's start-up hook (.pth file and module)"
    user_options: ClassVar[list] = []

    def initialize_options(self):
        self.build_lib = None
        self.editable_mode = False  # set by setuptools' editable_wheel

    def finalize_options(self):
        self.set_undefined_options("build_py", ("build_lib", "build_lib"))

    def _target_dir(self):
        if self.editable_mode:
            return self.get_finalized_command("install").install_lib
        return self.build_lib

    def run(self):
        for name in STARTUP_FILES:
            self.copy_file(
                os.path.join(STARTUP_SOURCE_DIR, name),
                os.path.join(self._target_dir(), name),
                preserve_mode=False,
            )

    def get_source_files(self):
        """The files' sources (setuptools adds them to the sdist)."""
        return [f"{STARTUP_SOURCE_DIR}/{name}" for name in STARTUP_FILES]

    def get_outputs(self):
        return [os.path.join(self._target_dir(), name) for name in STARTUP_FILES]

    def get_output_mapping(self):
        # the files are copies, not links to the sources, in editable mode too
        return {}


class build_with_startup_hook(build):  # pylint: disable=invalid-name
    """``build``, then :class:`build_startup_hook`."""

    sub_commands: ClassVar[list] = [*build.sub_commands, ("build_startup_hook", None)]


setup(
    cmdclass={
        "build": build_with_startup_hook,
        "build_startup_hook": build_startup_hook,
    }
)
