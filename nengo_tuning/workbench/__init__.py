"""The tuning workbench: studies of what neurons do, and the ``nengo-tuning`` command.

Where things live (front end first, command last):

=============================  ==================================================
``neuron_specs``               neuron types from strings (``"nengo.LIF(...)"``)
``expressions``                the bounded expression language of decoded
                               functions (``"clip(x, 0, 1)"``)
``simulation``                 small Nengo helpers shared by the studies
``tuning_and_decoding``        tuning curves and decoders (Nengo)
``spikes_vs_rates``            spiking neurons against their rate curves (Nengo)
``adaptation``                 adaptive LIF neurons after a current step, against
                               the exact adapted rate (the types' own step)
``rate_curves``                LIF against SoftLIF near threshold (no Nengo)
``plotting``                   one matplotlib figure per result record
``options``                    command-line values: types, bounds, messages
``report_writer``              the report's sections, Markdown tables, and
                               printing that never stops the report
``report_folder``              the report folder: its manifest, the swap, the
                               clean-up after killed runs
``held_signals``               SIGINT and SIGTERM held off during the swap;
                               SIGTERM as an exception
``study``                      the `~.study.Study` record a study is declared with
``study_limits``               the limits that involve several options: their
                               bounds and checks
``study_costs``                each study's time and memory estimate, and its
                               functions checked at the study's own points
``study_writers``              each study's writer: runs its analysis, adds its
                               tables and figures to the report
``study_table``                every study of the command, declared once: its
                               options, limits, analysis and writer
``command``                    the ``nengo-tuning`` entry point: parser, error
                               policy, Ctrl-C and SIGTERM
``cli_reference``              the command's reference page, generated from
                               ``study_table`` (``docs/cli.rst``)
=============================  ==================================================

A new study is an analysis function (in one of the study modules, returning a
record), a writer, and one `~nengo_tuning.workbench.study.Study` declaration in
``study_table.STUDIES``; the parser, ``--help``, the report and the reference page
follow from it.
"""
