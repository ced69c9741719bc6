//! Media Processing Center (MPC): the delete-packaging-task-records call.
