"""What trades ReportLab internals for speed: remembered paragraph drawings, a lighter layout, quicker PDF writing."""
