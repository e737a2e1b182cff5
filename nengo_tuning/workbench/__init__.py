"""The tuning workbench: studies of what neurons do, and the ``nengo-tuning`` command.

Where things live (front end first, command last):

=============================  ==================================================
``neuron_specs``               neuron types from strings (``"nengo.LIF(...)"``)
``expressions``                the bounded expression language of decoded
                               functions (``"clip(x, 0, 1)"``)
``simulation``                 small Nengo helpers shared by the studies
``tuning_and_decoding``        tuning curves and decoders (Nengo)
``spikes_vs_rates``            spiking neurons against their rate curves (Nengo)
``rate_curves``                LIF against SoftLIF near threshold (no Nengo)
``plotting``                   one matplotlib figure per result record
``options``                    command-line values: types, bounds, messages
``report_writer``              Markdown tables and the atomically written
                               report folder
``study_table``                every study of the command, declared once: its
                               options, the analysis it runs, its tables and
                               figures
``command``                    the ``nengo-tuning`` entry point: parser, error
                               policy, Ctrl-C
``cli_reference``              the command's reference page, generated from
                               ``study_table`` (``docs/cli.rst``)
=============================  ==================================================

A new study is an analysis function (in one of the study modules, returning a
record) and one `~nengo_tuning.workbench.study_table.Study` declaration in
``study_table.STUDIES``; the parser, ``--help``, the report and the reference page
follow from it.
"""
