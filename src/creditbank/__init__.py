"""creditbank: an open-source credit bank for lifelong learning.

Qualifications frameworks, accreditation of learning outcomes, and lifelong
personal learning accounts whose records anyone can verify.
"""

__version__ = "0.1.0"
