"""What a study of the command is: the `Study` record that the declarations fill in.

The declarations themselves are in :mod:`nengo_tuning.workbench.study_table`;
this module holds the record they are made of and :func:`check_study_values`,
which the command runs on each study's parsed values before anything runs. The
parser, ``--help``, the report and the reference page read the same records.
"""

from dataclasses import dataclass, field

__all__ = ["Study", "check_study_values"]


@dataclass(frozen=True)
class Study:
    """One study of the command.

    Parameters
    ----------
    name : str
        The subcommand.
    help : str
        One line: what it shows.
    analysis : callable
        The analysis function it runs (named in the reference page).
    write : callable
        ``write(report, values)``: runs the analysis with the parsed option
        ``values`` (an `argparse.Namespace`, with ``seed`` and ``progress``) and
        adds its sections, tables and figures to the `.Report`.
    figures : tuple of str
        The files it writes.
    options : tuple of Option
        Its options.
    check : callable, optional
        ``check(values)``: raises `.UsageError` for limits that involve several
        options (or the values together with the neuron types).
    limits : tuple of str
        Those limits in words, for ``--help`` and the reference page.
    cost : callable, optional
        ``cost(values)``: the `.Cost` (time and memory) the study is expected to
        need with these values; it is refused beyond the bounds of
        :mod:`nengo_tuning.workbench.study_limits`.
    check_functions : callable, optional
        ``check_functions(values)``: evaluates the functions to decode at the
        points the study will use, raising `.UsageError` where one fails (run
        last, once the cost is known to be bounded: it takes time).
    """

    name: str
    help: str
    analysis: object
    write: object
    figures: tuple
    options: tuple
    check: object = None
    limits: tuple = field(default=())
    cost: object = None
    check_functions: object = None

    def default_values(self):
        """The parsed defaults of the study's options, as a dict."""
        return {option.dest: option.default_value() for option in self.options}


def check_study_values(study, values):
    """Raise `.UsageError` unless ``values`` pass the study's checks and bounds.

    Parameters
    ----------
    study : Study
        The study.
    values : argparse.Namespace
        Its parsed option values (with ``seed`` and ``progress``).
    """
    from nengo_tuning.workbench.study_limits import check_cost

    if study.check is not None:
        study.check(values)
    if study.cost is not None:
        check_cost(study.name, study.cost(values))
    if study.check_functions is not None:
        study.check_functions(values)
