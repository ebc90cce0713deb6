"""Jobs employers post (an enterprise's requirements: occupation, skills, certificates) and
learners' consent to be matched to them."""
