"""The Article 30 report: the register taken out of Registre (exports) and brought into it
(imports), through one neutral *register document* (see ``document``)."""
