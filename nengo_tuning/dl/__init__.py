"""NengoDL support: the builders of the neuron types and a training callback.

:mod:`.registry` (which builder builds which type, and their registration) imports
neither TensorFlow nor NengoDL; :mod:`.tf_namespace` (the array namespace over
TensorFlow), :mod:`.builders` and :mod:`.callbacks` import TensorFlow.
"""
