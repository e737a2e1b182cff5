"""Every study of the ``nengo-tuning`` command, declared once.

Each `~nengo_tuning.workbench.study.Study` below names the analysis it runs, its
options (with their bounds and defaults; a default equal to the analysis
function's own is read from its signature), the figures it writes, its limits
and the writer that runs the analysis and adds its tables and figures. The
parser, ``--help``, the ``report`` command and the reference page
(``docs/cli.rst``) are all generated from :data:`STUDIES`.

This module only declares; the machinery that reads the declarations is
elsewhere: the `~.study.Study` record (:mod:`~nengo_tuning.workbench.study`), the
writers (:mod:`~nengo_tuning.workbench.study_writers`), the limits and their
checks (:mod:`~nengo_tuning.workbench.study_limits`), the parser and the run
(:mod:`~nengo_tuning.workbench.command`).

To add a study: write its analysis function (returning a record), its writer
``write_<study>(report, values)``, and one `~.study.Study` entry here, listed in
:data:`STUDIES`.
"""

import functools

import numpy as np

from nengo_tuning.workbench import (
    adaptation,
    rate_curves,
    spikes_vs_rates,
    study_costs,
    study_limits,
    study_writers,
    tuning_and_decoding,
)
from nengo_tuning.workbench.options import (
    FunctionExpression,
    NeuronTypeName,
    Number,
    Option,
    WholeNumber,
    default_of,
)
from nengo_tuning.workbench.study import Study

__all__ = ["STUDIES", "study_named"]

_EXACT_DEFAULT = "nengo_tuning.ExactLIF"

#: The neuron types the spiking studies compare by default.
SPIKING_TYPES = Option(
    "--neuron-type",
    NeuronTypeName(),
    ("nengo.LIF", _EXACT_DEFAULT),
    "spiking neuron types",
    many=8,
)


def _time_steps_option(default):
    return Option(
        "--dt", Number(1e-5, 0.1, "s"), default, "time steps in seconds", many=20
    )


def _sim_time_option(default, meaning):
    return Option("--sim-time", Number(0.01, 100.0, "s"), default, meaning)


TUNING = Study(
    name="tuning",
    help="tuning curves of a neuron type, 1-D and 2-D",
    analysis=tuning_and_decoding.neuron_tuning_curves,
    write=study_writers.write_tuning,
    figures=("tuning_curves.png",),
    options=(
        Option(
            "--neuron-type",
            NeuronTypeName(),
            _EXACT_DEFAULT,
            "neuron type",
        ),
        Option(
            "--n-neurons",
            WholeNumber(1, 1000),
            default_of(tuning_and_decoding.neuron_tuning_curves, "n_neurons"),
            "number of neurons (one table row each)",
        ),
    ),
)


DECODE = Study(
    name="decode",
    help="decode functions of x; RMSE against the number of neurons",
    analysis=tuning_and_decoding.decoding_sweep,
    write=study_writers.write_decode,
    figures=("decoding.png", "decoding_rmse.png"),
    options=(
        Option("--neuron-type", NeuronTypeName(), _EXACT_DEFAULT, "neuron type"),
        Option(
            "--function",
            FunctionExpression(),
            default_of(tuning_and_decoding.decoding_sweep, "functions"),
            "functions of x to decode, e.g. x 'x**2' 'sin(pi*x)'",
            many=8,
        ),
        Option(
            "--n-neurons",
            WholeNumber(1, 2000),
            (5, 10, 20, 50, 100, 200, 400),
            "ensemble sizes",
            many=20,
        ),
        Option(
            "--trials",
            WholeNumber(1, 20),
            default_of(tuning_and_decoding.decoding_sweep, "n_trials"),
            "ensembles per size, averaged",
        ),
    ),
    check=study_limits.check_decode,
    cost=study_costs.cost_decode,
    check_functions=functools.partial(
        study_costs.check_functions_at_study_points, study_name="decode"
    ),
    limits=(
        f"sum of --n-neurons x number of --function x --trials at most "
        f"{study_limits.MAX_DECODED_NEURONS:,}".replace(",", " "),
        study_limits.COST_LIMIT,
        study_limits.POINTS_LIMIT,
    ),
)


SPIKES = Study(
    name="spikes",
    help="measured spike rate against the rate curve, per dt",
    analysis=spikes_vs_rates.compare_spikes_to_rates,
    write=study_writers.write_spikes,
    figures=("rate_vs_spike.png",),
    options=(
        SPIKING_TYPES,
        _time_steps_option((0.0001, 0.001, 0.002, 0.003, 0.005, 0.01)),
        Option(
            "--rates",
            Number(0.1, 10000.0, "Hz"),
            tuple(np.arange(10.0, 451.0, 10.0)),
            "rates of the curve to test at, Hz (below 1/tau_ref)",
            many=1000,
            shown_default="10 to 450 in steps of 10",
        ),
        _sim_time_option(
            default_of(spikes_vs_rates.compare_spikes_to_rates, "sim_time"),
            "measuring time in seconds (a spike count over it gives a rate to "
            "within one spike, +-1 / sim-time Hz: the table shows it)",
        ),
    ),
    check=study_limits.check_spikes,
    cost=study_costs.cost_spikes,
    limits=(
        study_limits.COST_LIMIT,
        "sum over --neuron-type and --dt of (--sim-time + settling) / dt at most "
        f"{study_limits.MAX_NEURON_STEPS:,} time steps".replace(",", " "),
        "every rate reachable by every neuron type (below 1 / tau_ref)",
        study_limits.ONE_STEP_LIMIT,
    ),
)


SPIKE_DECODING = Study(
    name="spike-decoding",
    help="decoded-output error of spiking ensembles, per dt",
    analysis=spikes_vs_rates.spiking_decoding_error,
    write=study_writers.write_spike_decoding,
    figures=("spiking_decoding.png",),
    options=(
        SPIKING_TYPES,
        _time_steps_option(default_of(spikes_vs_rates.spiking_decoding_error, "dts")),
        Option(
            "--function",
            FunctionExpression(),
            default_of(spikes_vs_rates.spiking_decoding_error, "function"),
            "function of x to decode",
        ),
        Option(
            "--n-neurons",
            WholeNumber(1, 2000),
            default_of(spikes_vs_rates.spiking_decoding_error, "n_neurons"),
            "number of neurons",
        ),
        Option(
            "--synapse",
            Number(1e-4, 10.0, "s"),
            default_of(spikes_vs_rates.spiking_decoding_error, "synapse"),
            "lowpass time constant on the outputs, s",
        ),
        _sim_time_option(
            default_of(spikes_vs_rates.spiking_decoding_error, "sim_time"),
            "simulated time in seconds",
        ),
    ),
    check=study_limits.check_spike_decoding,
    cost=study_costs.cost_spike_decoding,
    check_functions=functools.partial(
        study_costs.check_functions_at_study_points, study_name="spike-decoding"
    ),
    limits=(
        study_limits.COST_LIMIT,
        study_limits.POINTS_LIMIT,
        "sum over --neuron-type and --dt of --sim-time / dt at most "
        f"{study_limits.MAX_SIMULATOR_STEPS:,} time steps".replace(",", " "),
        "--sim-time / (smallest --dt) x --n-neurons at most "
        f"{study_limits.MAX_ACTIVITY_VALUES:,} activity values".replace(",", " "),
        study_limits.ONE_STEP_LIMIT,
    ),
)


#: The adaptation every type of ``adaptation`` gets (nengo's own defaults, 1 s
#: and 0.01, would need a run of 10 s to settle): strong enough to halve the rate.
ADAPTATION_TAU_N = 0.1
ADAPTATION_INC_N = 0.05

ADAPTATION = Study(
    name="adaptation",
    help="adaptive LIF neurons after a current step: rate, intervals, steady rate",
    analysis=adaptation.adaptation_after_step,
    write=study_writers.write_adaptation,
    figures=("adaptation.png",),
    options=(
        Option(
            "--neuron-type",
            NeuronTypeName(),
            ("nengo.AdaptiveLIF", "nengo_tuning.ExactAdaptiveLIF"),
            "spiking adaptive LIF neuron types (nengo.AdaptiveLIF or a subclass)",
            many=8,
        ),
        _time_steps_option(default_of(adaptation.adaptation_after_step, "dts")),
        Option(
            "--current",
            Number(0.0, 100.0),
            default_of(adaptation.adaptation_after_step, "step_current"),
            "input current J after the step, from 0 (threshold 1)",
        ),
        Option(
            "--steady-currents",
            Number(0.0, 100.0),
            default_of(adaptation.adaptation_after_step, "currents"),
            "currents J at which the steady rate is measured",
            many=50,
        ),
        Option(
            "--tau-n",
            Number(1e-4, 10.0, "s"),
            ADAPTATION_TAU_N,
            "adaptation time constant of every type, s",
        ),
        Option(
            "--inc-n",
            Number(0.0, 10.0),
            ADAPTATION_INC_N,
            "adaptation increment of every type (a spike adds inc_n / tau_n)",
        ),
        _sim_time_option(
            default_of(adaptation.adaptation_after_step, "sim_time"),
            "simulated time after the step in seconds (steady rate: its second "
            "half)",
        ),
        Option(
            "--bin-width",
            Number(1e-5, 100.0, "s"),
            default_of(adaptation.adaptation_after_step, "bin_width"),
            "bins of the rate over time, s",
        ),
    ),
    check=study_limits.check_adaptation,
    cost=study_costs.cost_adaptation,
    limits=(
        study_limits.COST_LIMIT,
        "sum over --neuron-type and --dt of --sim-time / dt at most "
        f"{study_limits.MAX_NEURON_STEPS:,} time steps".replace(",", " "),
        (
            "every --neuron-type a spiking adaptive LIF (nengo.AdaptiveLIF or a "
            "subclass) that leaves tau_n and inc_n at their defaults (--tau-n and "
            "--inc-n set them for every type)"
        ),
        f"--sim-time at least {study_limits.MIN_SIM_TIME_IN_TAU_N} x --tau-n",
        "--bin-width from the largest --dt to --sim-time",
        (
            "types other than nengo.AdaptiveLIF: at most "
            f"{study_limits.MAX_SPIKES_PER_STEP} spikes in one step (the "
            "unadapted rate at the largest current x the largest --dt)"
        ),
    ),
)


SMOOTH = Study(
    name="smooth",
    help="LIF and SoftLIF curves and derivatives near threshold",
    analysis=rate_curves.smooth_vs_sharp,
    write=study_writers.write_smooth,
    figures=("smooth_vs_sharp.png",),
    options=(
        Option(
            "--sigma",
            Number(1e-9, 10.0),
            default_of(rate_curves.smooth_vs_sharp, "sigmas"),
            "SoftLIF smoothing values",
            many=10,
        ),
        Option(
            "--tau-rc",
            Number(1e-6, 10.0, "s"),
            default_of(rate_curves.smooth_vs_sharp, "tau_rc"),
            "membrane time constant, s",
        ),
        Option(
            "--tau-ref",
            Number(0.0, 1.0, "s"),
            default_of(rate_curves.smooth_vs_sharp, "tau_ref"),
            "refractory period, s",
        ),
    ),
)

#: The studies, in the order the report runs them.
STUDIES = (TUNING, DECODE, SPIKES, SPIKE_DECODING, ADAPTATION, SMOOTH)


def study_named(name):
    """The `~.study.Study` called ``name``."""
    return next(study for study in STUDIES if study.name == name)
