"""The room server: the whole course for a room from one Linux server, through JupyterHub.

For rooms whose laptops cannot install the course (docs/room-server.md). One module per job:

- :mod:`.settings`: a room's address, passwords, folders and limits (``room.json``);
- :mod:`.config`: JupyterHub's configuration made from those settings;
- :mod:`.authenticator`: the room password, where the first login claims a name;
- :mod:`.spawner`: each participant's JupyterLab as their own system user, in their own home;
- :mod:`.users`: those system users (``fl-<name>``) with private homes;
- :mod:`.course_copy`: each participant's copy of the course and answers file;
- :mod:`.server`: start and stop the room, leaving no process or port behind;
- :mod:`.api`: JupyterHub's REST API (who is in, whose server runs);
- :mod:`.kernels`: running code in a participant's server through the kernel API (tests,
  benchmark);
- :mod:`.command`: ``fedlearn-kit hub up|status|down``.

:mod:`.authenticator`, :mod:`.spawner` and :mod:`.config` import JupyterHub, which only the
``hub`` install set brings (``python course.py install --set hub``); the rest imports
without it.
"""
